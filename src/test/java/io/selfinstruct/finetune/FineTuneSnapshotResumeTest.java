package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pool job is killed mid-run, the pool then doubles (through another instance that leaves the job alone), and
 * the job resumes: it trains on the snapshot taken when it started, so its total steps, example count and hash
 * stay what they were.
 */
class FineTuneSnapshotResumeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aResumedJobTrainsOnItsSnapshotAfterThePoolGrew(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models");
        TinyLlama.write(models.resolve("tiny"), 31);
        String records = Files.readString(TinyLlama.alpacaFile());
        String moreRecords = records.replace("\"instruction\": \"", "\"instruction\": \"Once more: ");
        assertThat(moreRecords).isNotEqualTo(records);
        Path log = dir.resolve("service.log");
        String job = """
                {"baseModel": "%s", "data": {}, "epochs": 2, "batchSize": 2, "microBatchSize": 2, "valSetSize": 0,
                 "cutoffLen": 128, "learningRate": 0.005, "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 2,
                 "saveSteps": 2, "saveTotalLimit": 2, "device": "cpu"}
                """.formatted(models.resolve("tiny"));

        long id;
        JsonNode before;
        try (ServiceProcess first = ServiceProcess.start(dir.resolve("data"), log, properties(models, "a", "60s"))) {
            JsonNode imported = JSON.readTree(first.post("/api/import?dedup=false", records));
            assertThat(imported.get("imported").asInt()).as(imported.toString()).isEqualTo(16);
            id = JSON.readTree(first.post("/api/finetune-jobs", job)).get("id").asLong();
            before = FineTuneCrashResumeTest.await(first, id, j -> j.get("step").asInt() >= 5, Duration.ofSeconds(120));
            first.kill();
        }
        assertThat(before.get("totalSteps").asInt()).isEqualTo(16);
        assertThat(before.get("dataSnapshot").get("examples").asInt()).isEqualTo(16);
        String sha256 = before.get("dataSnapshot").get("sha256").asString();
        assertThat(sha256).hasSize(64);

        // another instance (its own id, a claim timeout far away) grows the pool while the job waits for its own
        try (ServiceProcess other = ServiceProcess.start(dir.resolve("data"), log, properties(models, "b", "1h"))) {
            int stepThen = JSON.readTree(other.get("/api/finetune-jobs/" + id))
                    .get("step")
                    .asInt();
            JsonNode imported = JSON.readTree(other.post("/api/import?dedup=false", moreRecords));
            assertThat(imported.get("imported").asInt()).as(imported.toString()).isEqualTo(16);
            Thread.sleep(1000);
            JsonNode waiting = JSON.readTree(other.get("/api/finetune-jobs/" + id));
            assertThat(waiting.get("step").asInt())
                    .as("instance b leaves the job alone")
                    .isEqualTo(stepThen);
        }

        try (ServiceProcess again = ServiceProcess.start(dir.resolve("data"), log, properties(models, "a", "60s"))) {
            JsonNode done = FineTuneCrashResumeTest.await(
                    again, id, j -> j.get("status").asString().equals("COMPLETED"), Duration.ofSeconds(120));
            assertThat(done.get("resumedFromStep").asInt()).as(done.toString()).isGreaterThanOrEqualTo(4);
            assertThat(done.get("totalSteps").asInt()).isEqualTo(16);
            assertThat(done.get("step").asInt()).isEqualTo(16);
            assertThat(done.get("dataSnapshot").get("examples").asInt()).isEqualTo(16);
            assertThat(done.get("dataSnapshot").get("sha256").asString()).isEqualTo(sha256);
            assertThat(Files.readString(log))
                    .contains("fine-tune job " + id + " trains on its snapshot of 16 examples");
        }
    }

    private static String[] properties(Path models, String instance, String claimTimeout) {
        return new String[] {
            "selfinstruct.models.roots=" + models,
            "selfinstruct.finetune.poll-interval=200ms",
            "selfinstruct.batches.instance-id=" + instance,
            "selfinstruct.finetune.claim-timeout=" + claimTimeout
        };
    }
}
