package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service is SIGKILLed in the middle of a fine-tune job and started again on the same database and data
 * directory: the job resumes from its newest checkpoint (not from step 0) and completes, every step reported once.
 */
class FineTuneCrashResumeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aKilledServiceResumesTheJobFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models");
        TinyLlama.write(models.resolve("tiny"), 31);
        Files.copy(TinyLlama.alpacaFile(), models.resolve("alpaca.json"));
        Path log = dir.resolve("service.log");
        String[] properties = {"selfinstruct.models.roots=" + models, "selfinstruct.finetune.poll-interval=200ms"};
        String job = """
                {"baseModel": "%s", "dataFile": "%s", "maxSteps": 24, "batchSize": 2, "microBatchSize": 2,
                 "cutoffLen": 128, "learningRate": 0.005, "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 2,
                 "saveSteps": 3, "saveTotalLimit": 2, "device": "cpu", "lora": {"dropout": 0.1}}
                """.formatted(models.resolve("tiny"), models.resolve("alpaca.json"));

        long id;
        try (ServiceProcess first = ServiceProcess.start(dir.resolve("data"), log, properties)) {
            id = JSON.readTree(first.post("/api/finetune-jobs", job)).get("id").asLong();
            JsonNode running = await(first, id, j -> j.get("step").asInt() >= 7, Duration.ofSeconds(90));
            assertThat(running.get("status").asString()).isEqualTo("RUNNING");
            first.kill();
        }
        try (ServiceProcess second = ServiceProcess.start(dir.resolve("data"), log, properties)) {
            JsonNode done =
                    await(second, id, j -> j.get("status").asString().equals("COMPLETED"), Duration.ofSeconds(120));
            assertThat(done.get("resumedFromStep").asInt()).as(done.toString()).isGreaterThanOrEqualTo(6);
            assertThat(done.get("step").asInt()).isEqualTo(24);
            List<Integer> steps = new ArrayList<>();
            done.get("metrics").values().forEach(m -> steps.add(m.get("step").asInt()));
            assertThat(steps)
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 24)
                            .boxed()
                            .toList());
            assertThat(Path.of(done.get("outputDir").asString()).resolve("adapter_model.safetensors"))
                    .exists();
            assertThat(Files.readString(log)).contains("fine-tune job " + id + " resumes from checkpoint-");
        }
    }

    static JsonNode await(ServiceProcess service, long id, Predicate<JsonNode> condition, Duration timeout)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode job = JSON.readTree(service.get("/api/finetune-jobs/" + id));
        while (!condition.test(job)) {
            assertThat(job.get("status").asString()).as(job.toString()).isIn("QUEUED", "RUNNING");
            assertThat(Instant.now()).as("waiting for job " + id + ": " + job).isBefore(deadline);
            Thread.sleep(200);
            job = JSON.readTree(service.get("/api/finetune-jobs/" + id));
        }
        return job;
    }
}
