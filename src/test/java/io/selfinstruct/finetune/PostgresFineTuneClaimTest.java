package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.PostgresDatabase;
import io.selfinstruct.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two service processes on one PostgreSQL and three queued fine-tune jobs (separate JVMs: DJL trains one job per
 * JVM). Each job runs exactly once; killing (SIGKILL) the instance that runs one lets the other take it over after
 * the claim timeout and finish it from its last checkpoint.
 */
class PostgresFineTuneClaimTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @Test
    void jobsRunOnceAndAKilledInstancesJobIsTakenOver(@TempDir Path dir) throws Exception {
        String url = PostgresDatabase.createDatabase();
        Path models = dir.resolve("models");
        TinyLlama.write(models.resolve("tiny"), 41);
        Files.copy(TinyLlama.alpacaFile(), models.resolve("alpaca.json"));
        Path log = dir.resolve("services.log");
        ServiceProcess a = ServiceProcess.start(dir.resolve("a"), log, properties(url, dir, models, "tune-a"));
        ServiceProcess b = ServiceProcess.start(dir.resolve("b"), log, properties(url, dir, models, "tune-b"));
        try {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String job = """
                        {"baseModel": "%s", "dataFile": "%s", "maxSteps": 18, "batchSize": 2, "microBatchSize": 2,
                         "cutoffLen": 128, "evalSteps": 0, "sampleSteps": 0, "saveSteps": 3, "saveTotalLimit": 2,
                         "device": "cpu", "seed": %d}""".formatted(models.resolve("tiny"), models.resolve("alpaca.json"), i);
                ids.add(JSON.readTree(a.post("/api/finetune-jobs", job))
                        .get("id")
                        .asLong());
            }
            // wait until a job is past a checkpoint, then kill the instance that runs it
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            long victim = -1;
            String owner = null;
            while (victim < 0) {
                assertThat(Instant.now()).as("no job got past step 4").isBefore(deadline);
                for (long id : ids) {
                    JsonNode job = JSON.readTree(a.get("/api/finetune-jobs/" + id));
                    if (job.get("status").asString().equals("RUNNING")
                            && job.get("step").asInt() >= 4) {
                        victim = id;
                        owner = claimedBy(url, id);
                        break;
                    }
                }
                Thread.sleep(100);
            }
            ServiceProcess killed = owner.equals("tune-a") ? a : b;
            ServiceProcess survivor = killed == a ? b : a;
            killed.kill();

            deadline = Instant.now().plus(Duration.ofSeconds(180));
            for (long id : ids) {
                JsonNode job = JSON.readTree(survivor.get("/api/finetune-jobs/" + id));
                while (!job.get("status").asString().equals("COMPLETED")) {
                    assertThat(job.get("status").asString()).as(job.toString()).isIn("QUEUED", "RUNNING");
                    assertThat(Instant.now()).as("job %d: %s", id, job).isBefore(deadline);
                    Thread.sleep(200);
                    job = JSON.readTree(survivor.get("/api/finetune-jobs/" + id));
                }
                List<Integer> steps = new ArrayList<>();
                job.get("metrics").values().forEach(m -> steps.add(m.get("step").asInt()));
                assertThat(steps)
                        .as("job %d reports every step once", id)
                        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 18)
                                .boxed()
                                .toList());
                if (id == victim) {
                    assertThat(job.get("resumedFromStep").asInt())
                            .as(job.toString())
                            .isGreaterThanOrEqualTo(3);
                    assertThat(claimedBy(url, id)).isNotEqualTo(owner);
                } else {
                    assertThat(job.get("resumedFromStep").asInt())
                            .as("job %d ran once, from the start", id)
                            .isZero();
                }
            }
        } finally {
            a.close();
            b.close();
        }
    }

    private static String[] properties(String url, Path dir, Path models, String name) {
        return new String[] {
            "spring.datasource.url=" + url,
            "selfinstruct.batches.instance-id=" + name,
            "selfinstruct.models.roots=" + models,
            "selfinstruct.finetune.output-dir=" + dir.resolve("shared-output"),
            "selfinstruct.finetune.poll-interval=200ms",
            "selfinstruct.finetune.claim-timeout=3s"
        };
    }

    private static String claimedBy(String url, long id) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement("select claimed_by from finetune_job where id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
