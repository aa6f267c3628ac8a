package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.finetune.TinyLlama;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * On the default FILE H2 database, as users run it: batches that fail on a 401 at concurrency 8, are cancelled or
 * paused mid-flight must not take the database down (an interrupt inside H2's file I/O used to close it, and every
 * later request answered 500).
 */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=100ms")
@AutoConfigureMockMvc
class EmbeddedDatabaseStopsTest {

    static final Path DATA =
            Path.of("target/embedded-db-stops-" + System.nanoTime()).toAbsolutePath();
    static final ScriptedLlmServer working = ScriptedLlmServer.start(new SelfInstructScript(false, false), 30);
    static final ScriptedLlmServer refusing = ScriptedLlmServer.start(new SelfInstructScript(false, false), 5);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        refusing.failWith(401);
        registry.add("selfinstruct.data-dir", DATA::toString);
        // the service's own H2 URL (application.yml), not the in-memory one the other tests use
        registry.add("spring.datasource.url", () -> "${selfinstruct.h2-url}");
        registry.add("selfinstruct.llm.base-url", working::baseUrl);
        registry.add("selfinstruct.llm.allowed-base-urls", () -> working.baseUrl() + "," + refusing.baseUrl());
        registry.add("selfinstruct.llm.model", () -> "scripted-model");
        registry.add("selfinstruct.models.roots", () -> DATA.resolve("models").toString());
        registry.add(
                "selfinstruct.finetune.output-dir",
                () -> DATA.resolve("finetune").toString());
        registry.add("selfinstruct.finetune.poll-interval", () -> "100ms");
    }

    @AfterAll
    static void stop() {
        working.close();
        refusing.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InstructionRepository instructions;

    final JsonMapper json = JsonMapper.builder().build();

    @Test
    void failedCancelledAndPausedBatchesLeaveTheDatabaseWorking() throws Exception {
        String url = jdbc.execute((java.sql.Connection c) -> c.getMetaData().getURL());
        assertThat(url)
                .as("the service's file database")
                .contains(DATA.toString())
                .doesNotContain(":mem:");
        for (int round = 0; round < 2; round++) {
            long failing = create("{\"targetInstructions\": 200, \"concurrency\": 8, \"api\": \"completions\", "
                    + "\"baseUrl\": \"" + refusing.baseUrl() + "\"}");
            long cancelled = create("{\"targetInstructions\": 5000, \"concurrency\": 8, \"api\": \"completions\"}");
            long paused = create("{\"targetInstructions\": 5000, \"concurrency\": 8, \"api\": \"completions\"}");
            waitUntil(failing, "FAILED");
            waitUntilAccepted(cancelled);
            waitUntilAccepted(paused);
            mvc.perform(post("/api/batches/" + cancelled + "/cancel").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk());
            mvc.perform(post("/api/batches/" + paused + "/pause").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk());
            waitUntilReleased(cancelled);
            waitUntilReleased(paused);

            assertThat(batch(failing).get("error").asString()).contains("401");
            assertThat(batch(cancelled).get("status").asString()).isEqualTo("CANCELLED");
            assertThat(batch(paused).get("status").asString()).isEqualTo("PAUSED");
        }
        // every endpoint still answers, and the database still reads and writes
        mvc.perform(get("/api/batches").header("X-API-Key", "test-key")).andExpect(status().isOk());
        mvc.perform(get("/api/instructions").header("X-API-Key", "test-key")).andExpect(status().isOk());
        mvc.perform(get("/api/seed-sets").header("X-API-Key", "test-key")).andExpect(status().isOk());
        mvc.perform(get("/actuator/health")).andExpect(status().isOk());
        long before = instructions.count();
        assertThat(before).isPositive();
        long another = create("{\"targetInstructions\": 3, \"concurrency\": 2, \"api\": \"completions\"}");
        waitUntil(another, "COMPLETED");
        assertThat(instructions.count()).isGreaterThan(before);
        assertThat(jdbc.queryForObject(
                        "select count(*) from instruction where status = 'CANDIDATE' " + "and batch_id = ?",
                        Long.class,
                        another))
                .isZero();
    }

    /** A database fault inside a worker (here every new instance violates a constraint) ends the batch FAILED. */
    @Test
    void aWorkerFaultEndsTheBatchFailedWithAReasonForUsers() throws Exception {
        long next = jdbc.queryForObject("select coalesce(max(id), 0) + 1 from instance", Long.class);
        jdbc.execute("alter table instance add constraint fault_injection check (id < " + next + ")");
        try {
            long id = create("{\"targetInstructions\": 20, \"concurrency\": 4, \"api\": \"completions\"}");
            waitUntil(id, "FAILED");
            waitUntilReleased(id);
            String error = batch(id).get("error").asString();
            assertThat(error).contains("unexpected error").contains("server log");
            String list = mvc.perform(get("/api/batches").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(list).doesNotContain("Exception").doesNotContain("org.").doesNotContain("io.selfinstruct");
            Thread.sleep(500);
            assertThat(batch(id).get("status").asString())
                    .as("not claimed again")
                    .isEqualTo("FAILED");
        } finally {
            jdbc.execute("alter table instance drop constraint fault_injection");
        }
    }

    /** A fine-tune job cancelled mid-step stops at a step boundary; the database and the service go on. */
    @Test
    void aFineTuneJobCancelledMidStepLeavesTheDatabaseWorking() throws Exception {
        Path model = DATA.resolve("models/tiny");
        TinyLlama.write(model, 5);
        Path data = DATA.resolve("models/data/alpaca_small.json");
        Files.createDirectories(data.getParent());
        Files.copy(TinyLlama.alpacaFile(), data, StandardCopyOption.REPLACE_EXISTING);
        String job = """
                {"baseModel": "%s", "dataFile": "%s", "maxSteps": 500, "batchSize": 2, "microBatchSize": 2,
                 "cutoffLen": 128, "evalSteps": 0, "sampleSteps": 0, "saveSteps": 2, "device": "cpu"}""".formatted(model, data);
        long id = json.readTree(mvc.perform(post("/api/finetune-jobs")
                                .header("X-API-Key", "test-key")
                                .contentType("application/json")
                                .content(job))
                        .andExpect(status().isAccepted())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("id")
                .asLong();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (jobView(id).get("step").asInt() < 3) {
            assertThat(Instant.now()).as("job %d: %s", id, jobView(id)).isBefore(deadline);
            Thread.sleep(50);
        }
        mvc.perform(post("/api/finetune-jobs/" + id + "/cancel").header("X-API-Key", "test-key"))
                .andExpect(status().isAccepted());
        while (!jobView(id).get("status").asString().equals("CANCELLED")) {
            assertThat(Instant.now()).as("job %d: %s", id, jobView(id)).isBefore(deadline);
            Thread.sleep(50);
        }
        assertThat(jobView(id).get("step").asInt()).isBetween(3, 499);
        mvc.perform(get("/api/finetune-jobs").header("X-API-Key", "test-key")).andExpect(status().isOk());
        mvc.perform(get("/api/batches").header("X-API-Key", "test-key")).andExpect(status().isOk());
        long another = create("{\"targetInstructions\": 2, \"concurrency\": 2, \"api\": \"completions\"}");
        waitUntil(another, "COMPLETED");
    }

    JsonNode jobView(long id) throws Exception {
        return json.readTree(mvc.perform(get("/api/finetune-jobs/" + id).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    long create(String body) throws Exception {
        String response = mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content(body))
                .andExpect(status().isAccepted())
                .andReturn()
                .getResponse()
                .getContentAsString();
        return json.readTree(response).get("id").asLong();
    }

    JsonNode batch(long id) throws Exception {
        return json.readTree(mvc.perform(get("/api/batches/" + id).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    void waitUntil(long id, String status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!batch(id).get("status").asString().equals(status)) {
            assertThat(Instant.now())
                    .as("batch %d never became %s: %s", id, status, batch(id))
                    .isBefore(deadline);
            Thread.sleep(50);
        }
    }

    void waitUntilAccepted(long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (batch(id).get("accepted").asInt() < 3) {
            assertThat(Instant.now()).as("batch %d accepts nothing", id).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** The run has ended on this instance: its claim is released. */
    void waitUntilReleased(long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (jdbc.queryForObject("select claimed_by from batch where id = ?", String.class, id) != null) {
            assertThat(Instant.now()).as("batch %d still claimed", id).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
