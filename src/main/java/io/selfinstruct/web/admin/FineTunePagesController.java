package io.selfinstruct.web.admin;

import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /admin/finetune}: the fine-tune jobs with their step, loss and eval-loss curves (Chart.js reads the
 * metrics from a data attribute) and sample generations. Refreshed every two seconds.
 */
@Controller
class FineTunePagesController {

    private final FineTuneJobRepository jobs;
    private final JsonMapper json;

    FineTunePagesController(FineTuneJobRepository jobs, JsonMapper json) {
        this.jobs = jobs;
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

    @GetMapping("/admin/finetune/jobs")
    String jobs(Model model) {
        model.addAttribute("jobs", views());
        return "admin/finetune :: jobs";
    }

    private List<JobView> views() {
        return jobs.findAll(Sort.by("id").descending()).stream().map(j -> new JobView(j, samples(j))).toList();
    }

    private List<Map<String, String>> samples(FineTuneJob job) {
        JsonNode node = json.readTree(job.getSamplesJson() == null ? "[]" : job.getSamplesJson());
        return node.valueStream().map(sample -> {
            var fields = new java.util.LinkedHashMap<String, String>();
            if (sample.isObject()) {
                sample.properties().forEach(e -> fields.put(e.getKey(),
                        e.getValue().isString() ? e.getValue().asString() : e.getValue().toString()));
            } else {
                fields.put("sample", sample.isString() ? sample.asString() : sample.toString());
            }
            return (Map<String, String>) fields;
        }).toList();
    }
}
