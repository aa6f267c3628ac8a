package io.selfinstruct.web.admin;

import io.selfinstruct.evaluate.Evaluations;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /admin/evaluations}: every evaluation with its win/tie/loss bars, and one evaluation's items. Answers and
 * the judge's reasons are LLM text: the templates show them only through {@code th:text}, escaped.
 */
@RequiredArgsConstructor
@Controller
class EvaluationPagesController {

    private static final int PAGE_SIZE = 50;

    private final Evaluations evaluations;

    @GetMapping("/admin/evaluations")
    String list(Model model) {
        model.addAttribute("evaluations", evaluations.list());
        return "admin/evaluations";
    }

    @GetMapping("/admin/evaluations/{id}")
    String detail(@PathVariable long id, @RequestParam(defaultValue = "0") int page, Model model) {
        model.addAttribute("evaluation", evaluations.view(id));
        model.addAttribute("items", evaluations.items(id, Math.max(0, page), PAGE_SIZE));
        model.addAttribute("page", Math.max(0, page));
        model.addAttribute("pageSize", PAGE_SIZE);
        return "admin/evaluation";
    }
}
