package io.selfinstruct.web.admin;

import io.selfinstruct.serve.Playground;
import java.util.ArrayList;
import java.util.List;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * {@code /admin/playground}: send one message to one served model, or to two side by side, and read their answers
 * (as plain text). The models and prompts are those of {@code /v1/chat/completions}.
 */
@RequiredArgsConstructor
@Controller
class PlaygroundController {

    static final int MAX_TOKENS = 512;

    private final Playground playground;

    /** The form: model A, optionally model B, a system message, the user's message and sampling settings. */
    record PlaygroundForm(
            String modelA, String modelB, String system, String message, Integer maxTokens, Double temperature) {}

    @GetMapping("/admin/playground")
    String page(Model model) {
        model.addAttribute("models", playground.models());
        return "admin/playground";
    }

    @PostMapping("/admin/playground")
    String chat(PlaygroundForm form, Model model) {
        model.addAttribute("form", form);
        int maxTokens = form.maxTokens() == null ? 128 : form.maxTokens();
        double temperature = form.temperature() == null ? 0 : form.temperature();
        if (form.modelA() == null
                || form.modelA().isBlank()
                || form.message() == null
                || form.message().isBlank()) {
            model.addAttribute("error", "Choose a model and write a message.");
        } else if (maxTokens < 1 || maxTokens > MAX_TOKENS || temperature < 0 || temperature > 2) {
            model.addAttribute("error", "Max tokens must be 1 to " + MAX_TOKENS + ", temperature 0 to 2.");
        } else {
            List<String> models = new ArrayList<>(List.of(form.modelA()));
            if (form.modelB() != null && !form.modelB().isBlank()) {
                models.add(form.modelB());
            }
            model.addAttribute(
                    "replies", playground.chat(models, form.system(), form.message(), maxTokens, temperature));
        }
        return page(model);
    }
}
