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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A batch whose service is killed (SIGKILL) in the middle resumes after a restart and ends exactly at target. */
class CrashResumeTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final int TARGET = 80;
    static final int CONCURRENCY = 4;

    @TempDir
    Path dataDir;

    @Test
    void killedBatchResumesWithNothingLostOrDuplicated() throws Exception {
        Path log = Files.createDirectories(Path.of("target")).resolve("crash-resume-test.log");
        try (ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(true, false), 40)) {
            String[] properties = {
                "selfinstruct.llm.base-url=" + llm.baseUrl(), "selfinstruct.batches.poll-interval=100ms"
            };
            long id;
            ServiceProcess first = ServiceProcess.start(dataDir, log, properties);
            try {
                id = JSON.readTree(first.post("/api/batches", """
                        {"targetInstructions":%d,"api":"completions","concurrency":%d}""".formatted(TARGET, CONCURRENCY)))
                        .get("id")
                        .asLong();
                awaitAccepted(first, id, TARGET / 4);
            } finally {
                first.kill();
            }
            // H2 may lose the very last commits of a killed process (PostgreSQL does not): the batch was mid-way
            int acceptedAtKill = accepted(dataDir, id);
            assertThat(acceptedAtKill).isBetween(TARGET / 8, TARGET - 1);

            try (ServiceProcess second = ServiceProcess.start(dataDir, log, properties)) {
                JsonNode batch = awaitStatus(second, id, "COMPLETED");
                assertThat(batch.get("accepted").asInt()).isEqualTo(TARGET);
            }

            try (Connection c =
                    DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("selfinstruct"), "sa", "")) {
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                assertThat(jdbc.queryForObject(
                                "select count(*) from instruction where batch_id = ? " + "and status = 'ACCEPTED'",
                                Integer.class,
                                id))
                        .isEqualTo(TARGET);
                List<String> texts = jdbc.queryForList(
                        "select text from instruction where batch_id = ? " + "and status = 'ACCEPTED'",
                        String.class,
                        id);
                assertThat(texts).doesNotHaveDuplicates();
                assertThat(jdbc.queryForObject(
                                "select count(*) from instruction where batch_id = ? " + "and status = 'CANDIDATE'",
                                Integer.class,
                                id))
                        .isZero();
                assertThat(jdbc.queryForObject(
                                "select count(*) from instruction i where batch_id = ? and "
                                        + "status = 'ACCEPTED' and not exists (select 1 from instance s where s.instruction_id = i.id "
                                        + "and s.status = 'ACCEPTED')",
                                Integer.class,
                                id))
                        .isZero();
                int storedCalls =
                        jdbc.queryForObject("select count(*) from llm_call where batch_id = ?", Integer.class, id);
                // every request the server saw is a stored call, except those in flight at the kill (and, on H2,
                // the few whose rows were in its last unflushed commits)
                assertThat(llm.requests() - storedCalls).isBetween(0, 3 * CONCURRENCY);
            }
        }
    }

    private static int accepted(Path dataDir, long id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("selfinstruct"), "sa", "")) {
            var rs = c.createStatement()
                    .executeQuery("select count(*) from instruction where status = 'ACCEPTED' and batch_id = " + id);
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitAccepted(ServiceProcess service, long id, int accepted) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (JSON.readTree(service.get("/api/batches/" + id)).get("accepted").asInt() < accepted) {
            assertThat(Instant.now())
                    .as("batch never reached %d accepted", accepted)
                    .isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private static JsonNode awaitStatus(ServiceProcess service, long id, String status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (true) {
            JsonNode batch = JSON.readTree(service.get("/api/batches/" + id));
            if (batch.get("status").asString().equals(status)) {
                return batch;
            }
            assertThat(batch.get("status").asString())
                    .as("error: %s", batch.get("error"))
                    .isNotEqualTo("FAILED");
            assertThat(Instant.now())
                    .as("batch never became %s: %s", status, batch)
                    .isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
