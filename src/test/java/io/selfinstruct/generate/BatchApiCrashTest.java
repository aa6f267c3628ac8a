package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import io.selfinstruct.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service SIGKILLed while its provider batch is in progress picks the wave up after a restart: it polls the same
 * provider batch, creates no second one for it, and completes the batch.
 */
class BatchApiCrashTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final int TARGET = 30;

    @TempDir
    Path dataDir;

    @Test
    void aKillWhileAProviderBatchIsInProgressNeitherLosesNorResubmitsAWave() throws Exception {
        Path log = Files.createDirectories(Path.of("target")).resolve("batch-api-crash-test.log");
        try (ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(true, false), 0)) {
            String[] properties = {
                "selfinstruct.llm.base-url=" + llm.baseUrl(),
                "selfinstruct.batches.poll-interval=100ms",
                "selfinstruct.llm.batch-poll-interval=50ms"
            };
            llm.batches().holdInProgress(true);
            long id;
            String providerBatchId;
            ServiceProcess first = ServiceProcess.start(dataDir, log, properties);
            try {
                id = JSON.readTree(first.post("/api/batches", """
                        {"targetInstructions":%d,"api":"completions","delivery":"batch-api"}""".formatted(TARGET)))
                        .get("id")
                        .asLong();
                JsonNode wave = awaitWave(first, id, "in_progress");
                providerBatchId = wave.get("providerBatchId").asString();
                assertThat(wave.get("state").asString()).isEqualTo("SUBMITTED");
                // polled a few more times, in progress all along
                Thread.sleep(300);
            } finally {
                first.kill();
            }
            assertThat(llm.batches().creates()).isEqualTo(1);
            assertThat(llm.batches().statuses()).containsExactly("in_progress");
            llm.batches().holdInProgress(false);

            try (ServiceProcess second = ServiceProcess.start(dataDir, log, properties)) {
                JsonNode batch =
                        await(second, id, b -> b.get("status").asString().equals("COMPLETED"));
                assertThat(batch.get("accepted").asInt()).isEqualTo(TARGET);
                JsonNode waves = batch.get("waves");
                assertThat(waves.get(0).get("providerBatchId").asString()).isEqualTo(providerBatchId);
                assertThat(waves.get(0).get("providerStatus").asString()).isEqualTo("completed");
                // one provider batch per wave, one upload per wave, and no custom_id sent twice
                assertThat(llm.batches().creates()).isEqualTo(waves.size());
                assertThat(llm.batches().uploads()).isEqualTo(waves.size());
                assertThat(llm.batches().submittedCustomIds()).doesNotHaveDuplicates();
                assertThat(llm.batches().statuses()).allMatch("completed"::equals);
                assertThat(llm.requests()).as("no online call").isZero();
            }

            try (Connection c =
                    DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("selfinstruct"), "sa", "")) {
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                assertThat(jdbc.queryForObject(
                                "select count(*) from instruction where batch_id = ? and status = 'ACCEPTED'",
                                Integer.class,
                                id))
                        .isEqualTo(TARGET);
                assertThat(jdbc.queryForObject(
                                "select count(*) from llm_call where batch_id = ? and status = 'SUCCEEDED'",
                                Integer.class,
                                id))
                        .isEqualTo(llm.batches().answeredLines());
            }
        }
    }

    private static JsonNode awaitWave(ServiceProcess service, long id, String providerStatus) throws Exception {
        JsonNode batch = await(
                service,
                id,
                b -> b.get("waves").size() > 0
                        && providerStatus.equals(
                                b.get("waves").get(0).path("providerStatus").asString("")));
        return batch.get("waves").get(0);
    }

    private static JsonNode await(ServiceProcess service, long id, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (true) {
            JsonNode batch = JSON.readTree(service.get("/api/batches/" + id));
            if (done.test(batch)) {
                return batch;
            }
            assertThat(batch.get("status").asString())
                    .as("error: %s", batch.get("error"))
                    .isNotEqualTo("FAILED");
            assertThat(Instant.now()).as("never got there: %s", batch).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
