package io.selfinstruct.web.admin;

import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneRequest;
import io.selfinstruct.finetune.FineTuneSubmissions;
import io.selfinstruct.problem.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /admin/finetune}: the fine-tune jobs with their step, loss and eval-loss curves (Chart.js reads the
 * metrics from a data attribute) and sample generations. Refreshed every two seconds.
 */
@Controller
class FineTunePagesController {

    private final FineTuneJobRepository jobs;
    private final FineTuneSubmissions submissions;
    private final JsonMapper json;

    FineTunePagesController(FineTuneJobRepository jobs, FineTuneSubmissions submissions, JsonMapper json) {
        this.jobs = jobs;
        this.submissions = submissions;
        this.json = json;
    }

    /** A job as the page shows it; samples are whatever objects the trainer stored, shown field by field. */
    record JobView(FineTuneJob job, List<Map<String, String>> samples) {
        public int percent() {
            return job.getTotalSteps() == 0 ? 0 : (int) Math.min(100, 100L * job.getStep() / job.getTotalSteps());
        }
    }

    @GetMapping("/admin/finetune")
    String page(Model model) {
        model.addAttribute("jobs", views());
        return "admin/finetune";
    }

    /** The start form: the same request and validation as {@code POST /api/finetune-jobs}. */
    @PostMapping("/admin/finetune")
    String start(FineTuneForm form, RedirectAttributes redirect) {
        try {
            long id = submissions.submit(form.toRequest(json), null).getId();
            redirect.addFlashAttribute("message", "Fine-tune job " + id + " queued.");
        } catch (InvalidRequestException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/finetune";
    }

    /** The form's fields; blank ones take the API's defaults. */
    record FineTuneForm(
            String baseModel,
            String origin,
            Long batchId,
            Integer r,
            Double alpha,
            String targetModules,
            Integer epochs,
            Double learningRate,
            Integer microBatchSize,
            Integer batchSize,
            Integer cutoffLen,
            Integer valSetSize,
            String device) {
        /** The request {@code POST /api/finetune-jobs} would receive: only the fields the form filled in. */
        FineTuneRequest toRequest(JsonMapper json) {
            ObjectNode request = json.createObjectNode();
            FormFields.put(request, "baseModel", baseModel);
            request.put("method", "lora");
            ObjectNode data = json.createObjectNode();
            FormFields.put(data, "origin", origin);
            if (batchId != null) {
                data.put("batchId", batchId);
            }
            request.set("data", data);
            ObjectNode lora = json.createObjectNode();
            lora.put("r", r);
            lora.put("alpha", alpha);
            if (targetModules != null && !targetModules.isBlank()) {
                var modules = lora.putArray("targetModules");
                java.util.Arrays.stream(targetModules.split(","))
                        .map(String::strip)
                        .filter(m -> !m.isEmpty())
                        .forEach(modules::add);
            }
            request.set("lora", lora);
            request.put("epochs", epochs);
            request.put("learningRate", learningRate);
            request.put("microBatchSize", microBatchSize);
            request.put("batchSize", batchSize);
            request.put("cutoffLen", cutoffLen);
            request.put("valSetSize", valSetSize);
            FormFields.put(request, "device", device);
            return json.treeToValue(request, FineTuneRequest.class);
        }
    }

    @GetMapping("/admin/finetune/jobs")
    String jobs(Model model) {
        model.addAttribute("jobs", views());
        return "admin/finetune :: jobs";
    }

    private List<JobView> views() {
        return jobs.findAll(Sort.by("id").descending()).stream()
                .map(j -> new JobView(j, samples(j)))
                .toList();
    }

    private List<Map<String, String>> samples(FineTuneJob job) {
        JsonNode node = json.readTree(job.getSamplesJson() == null ? "[]" : job.getSamplesJson());
        return node.valueStream()
                .map(sample -> {
                    var fields = new java.util.LinkedHashMap<String, String>();
                    if (sample.isObject()) {
                        sample.properties()
                                .forEach(e -> fields.put(
                                        e.getKey(),
                                        e.getValue().isString()
                                                ? e.getValue().asString()
                                                : e.getValue().toString()));
                    } else {
                        fields.put("sample", sample.isString() ? sample.asString() : sample.toString());
                    }
                    return (Map<String, String>) fields;
                })
                .toList();
    }
}
