package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.PromptFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The completed jobs as models that can be served: a LoRA adapter over its base, or a tuned model on its own. */
@RequiredArgsConstructor
@Component
public class TrainedModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FineTuneJobRepository jobs;

    /**
     * @param base the model directory to load
     * @param adapter the job's PEFT adapter over {@code base}, or null for a {@code freeze} job's whole model
     * @param format the prompt format the job was trained with (Alpaca or the model's chat template)
     */
    public record TrainedModel(long jobId, Path base, Path adapter, PromptFormat format, Instant finishedAt) {}

    /** Every completed job whose output is still on disk, oldest first. */
    public List<TrainedModel> completed() {
        return jobs.findByStatusOrderById(FineTuneStatus.COMPLETED).stream()
                .map(TrainedModels::of)
                .flatMap(Optional::stream)
                .toList();
    }

    public Optional<TrainedModel> completed(long jobId) {
        return jobs.findById(jobId)
                .filter(job -> job.getStatus() == FineTuneStatus.COMPLETED)
                .flatMap(TrainedModels::of);
    }

    private static Optional<TrainedModel> of(FineTuneJob job) {
        if (job.getOutputDir() == null || !Files.isDirectory(Path.of(job.getOutputDir()))) {
            return Optional.empty();
        }
        Path output = Path.of(job.getOutputDir());
        PromptFormat format = PromptFormat.parse(
                JSON.readValue(job.getConfigJson(), FineTuneRequest.class).template());
        boolean lora = "lora".equals(job.getMethod());
        return Optional.of(new TrainedModel(
                job.getId(),
                lora ? Path.of(job.getBaseModel()) : output,
                lora ? output : null,
                format,
                job.getFinishedAt()));
    }
}
