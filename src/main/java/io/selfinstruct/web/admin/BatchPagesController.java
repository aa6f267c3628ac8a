package io.selfinstruct.web.admin;

import io.selfinstruct.generate.BatchRequest;
import io.selfinstruct.generate.BatchView;
import io.selfinstruct.generate.Batches;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.seed.SeedSets;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /admin/batches}: the start form and every batch with its live progress. The progress table is a
 * fragment that the page fetches again every second (htmx), so nothing reloads.
 */
@RequiredArgsConstructor
@Controller
class BatchPagesController {

    private final Batches batches;
    private final SeedSets seedSets;
    private final Validator validator;
    private final JsonMapper json;

    @GetMapping("/admin/batches")
    String page(Model model) {
        model.addAttribute("batches", batches.list());
        model.addAttribute("seedSets", seedSets.sets());
        return "admin/batches";
    }

    @GetMapping("/admin/batches/table")
    String table(Model model) {
        model.addAttribute("batches", batches.list());
        return "admin/batches :: table";
    }

    /**
     * The form's dry run ({@code POST /api/batches?dryRun=true}): the page again, with the form as it was and the
     * expected calls, tokens and cost above it; nothing is stored or called.
     */
    @PostMapping("/admin/batches/forecast")
    String forecast(BatchForm form, Model model) {
        BatchRequest request = form.toRequest(json);
        String invalid = violations(request);
        if (invalid != null) {
            model.addAttribute("error", invalid);
        } else {
            try {
                model.addAttribute("forecast", batches.forecast(request));
            } catch (InvalidRequestException e) {
                model.addAttribute("error", e.getMessage());
            }
        }
        model.addAttribute("form", form);
        return page(model);
    }

    @PostMapping("/admin/batches")
    String start(BatchForm form, RedirectAttributes redirect) {
        BatchRequest request = form.toRequest(json);
        String invalid = violations(request);
        if (invalid != null) {
            redirect.addFlashAttribute("error", invalid);
            redirect.addFlashAttribute("form", form);
            return "redirect:/admin/batches";
        }
        try {
            BatchView batch = batches.create(request);
            redirect.addFlashAttribute("message", "Batch " + batch.id() + " queued.");
        } catch (InvalidRequestException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            redirect.addFlashAttribute("form", form);
        }
        return "redirect:/admin/batches";
    }

    @PostMapping("/admin/batches/{id}/pause")
    String pause(@PathVariable long id, RedirectAttributes redirect) {
        return transition(id, batches::pause, "paused", redirect);
    }

    @PostMapping("/admin/batches/{id}/resume")
    String resume(@PathVariable long id, RedirectAttributes redirect) {
        return transition(id, batches::resume, "queued again", redirect);
    }

    @PostMapping("/admin/batches/{id}/cancel")
    String cancel(@PathVariable long id, RedirectAttributes redirect) {
        return transition(id, batches::cancel, "cancelled", redirect);
    }

    /** The request's bean-validation failures as one message, or null when it is valid. */
    private String violations(BatchRequest request) {
        Set<ConstraintViolation<BatchRequest>> violations = validator.validate(request);
        if (violations.isEmpty()) {
            return null;
        }
        return violations.stream()
                .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                .map(v -> v.getPropertyPath() + " " + v.getMessage())
                .collect(Collectors.joining("; "));
    }

    private String transition(long id, LongFunction<BatchView> change, String done, RedirectAttributes redirect) {
        try {
            change.apply(id);
            redirect.addFlashAttribute("message", "Batch " + id + " " + done + ".");
        } catch (ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/batches";
    }
}
