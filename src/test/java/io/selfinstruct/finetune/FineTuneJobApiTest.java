package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The job API end to end in one service: validation, pool data, upload, progress, cancel, failure, outputs. */
@SpringBootTest
@AutoConfigureMockMvc
class FineTuneJobApiTest {

    private static final Path ROOT = createRoot();
    private static final Path BASE = ROOT.resolve("models/tiny");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "test-key";

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", () -> ROOT.resolve("models").toString());
        registry.add(
                "selfinstruct.finetune.output-dir", () -> ROOT.resolve("out").toString());
        registry.add("selfinstruct.finetune.poll-interval", () -> "100ms");
    }

    @BeforeAll
    static void model() {
        TinyLlama.write(BASE, 21);
    }

    private static Path createRoot() {
        try {
            return Files.createTempDirectory("finetune-api").toRealPath();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String job(String fields) {
        return """
                {"baseModel": "%s", "maxSteps": 3, "batchSize": 2, "microBatchSize": 2, "cutoffLen": 128,
                 "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 4, "saveSteps": 0, "device": "cpu"%s}
                """.formatted(BASE, fields.isEmpty() ? "" : ", " + fields);
    }

    @Test
    void invalidRequestsAreClear400s() throws Exception {
        expect400(job("\"lora\": {\"r\": 0}"), "lora.r must be at least 1");
        expect400(job("\"lora\": {\"r\": -4}"), "lora.r must be at least 1");
        expect400(job("\"lora\": {\"modulesToSave\": [\"norm\"]}"), "lora.modulesToSave");
        expect400(job("\"lora\": {\"targetModules\": [\"qkv_proj\"]}"), "targetModules");
        expect400(job("\"batchSize\": 5"), "multiple of microBatchSize");
        expect400(job("\"method\": \"prefix\""), "method");
        expect400(job("\"lossNormalization\": \"perRow\""), "lossNormalization must be tokens or microBatchMean");
        expect400(job("\"cutoffLen\": 100000"), "cutoffLen");
        expect400(job("\"data\": {\"origin\": \"ALIENS\"}"), "data.origin");
        expect400(job("\"template\": \"chat\""), "chat_template");
        expect400(job("\"data\": {\"batchId\": 999999}"), "holds 0 examples");
        expect400(
                job("\"sampleSequences\": {\"suppress\": [{\"text\": \"a\", \"factor\": 2}]}"),
                "sampleSequences: suppress[0].factor must be in (0, 1]");
        expect400(
                job("\"sampleSequences\": {\"badWords\": [{\"tokenIds\": [9999]}]}"),
                "sampleSequences: badWords[0] holds token id 9999 outside the vocabulary");
        expect400(job("").replace(BASE.toString(), ROOT.toString()), "outside the configured model roots");
        expect400(job("").replace(BASE.toString(), BASE.resolve("missing").toString()), "not a directory");
    }

    @Test
    void aPoolJobTrainsAndServesItsAdapter() throws Exception {
        seedPool();
        long id = submit(
                job("\"data\": {\"origin\": \"IMPORTED\", \"language\": \"en\"}, \"lora\": {\"r\": 8, \"dropout\": 0},"
                        + " \"sampleSteps\": 3, \"samplePrompts\": [{\"instruction\": \"Name a colour.\"}],"
                        + " \"sampleSequences\": {\"sequenceBias\": [{\"text\": \"z\", \"bias\": 100}]}"));
        JsonNode done = await(id, "COMPLETED");
        assertThat(done.get("step").asInt()).isEqualTo(3);
        assertThat(done.get("totalSteps").asInt()).isEqualTo(3);
        assertThat(done.get("metrics").size()).isEqualTo(3);
        JsonNode metric = done.get("metrics").get(2);
        for (String field : List.of("step", "loss", "evalLoss", "lr", "tokensPerSecond")) {
            assertThat(metric.has(field)).as(field).isTrue();
        }
        assertThat(done.get("samples").get(0).get("instruction").asString()).isEqualTo("Name a colour.");
        // a bias of +100 on "z" outweighs every logit: the greedy sample is "z" four times
        assertThat(done.get("samples").get(0).get("output").asString()).isEqualTo("zzzz");
        assertThat(done.get("outputDir").asString()).endsWith("adapter");
        assertThat(done.get("error").isNull()).isTrue();

        MvcResult zip = mvc.perform(get("/api/finetune-jobs/" + id + "/adapter").header("X-API-Key", KEY))
                .andExpect(status().isOk())
                .andReturn();
        List<String> names = new ArrayList<>();
        try (ZipInputStream in =
                new ZipInputStream(new ByteArrayInputStream(zip.getResponse().getContentAsByteArray()))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertThat(names).containsExactly("adapter_config.json", "adapter_model.safetensors");

        mvc.perform(
                        post("/api/finetune-jobs/" + id + "/generate")
                                .header("X-API-Key", KEY)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(
                                        "{\"instruction\": \"Name a colour.\", \"input\": \"\", \"maxNewTokens\": 5, \"temperature\": 0}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokenIds.length()").value(Matchers.lessThanOrEqualTo(5)))
                .andExpect(jsonPath("$.text").isString());
        mvc.perform(post("/api/finetune-jobs/" + id + "/generate")
                        .header("X-API-Key", KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"instruction\": \"Name a colour.\", \"maxNewTokens\": 3,"
                                + " \"sequenceBias\": [{\"text\": \"q\", \"bias\": 100}]}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.text").value("qqq"));
        mvc.perform(post("/api/finetune-jobs/" + id + "/generate")
                        .header("X-API-Key", KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"instruction\": \"x\", \"badWords\": [{\"tokenIds\": []}]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("badWords[0].tokenIds is empty")));
        mvc.perform(post("/api/finetune-jobs/" + id + "/generate")
                        .header("X-API-Key", KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"instruction\": \"x\", \"maxNewTokens\": 0}"))
                .andExpect(status().isBadRequest());
        mvc.perform(post("/api/finetune-jobs/" + id + "/cancel").header("X-API-Key", KEY))
                .andExpect(status().isConflict());
    }

    @Test
    void aFailingJobEndsFailedAndTheWorkerGoesOnWithAnUploadedFile() throws Exception {
        Path broken = ROOT.resolve("models/broken");
        TinyLlama.write(broken, 22);
        Files.write(broken.resolve("model.safetensors"), new byte[] {1, 2, 3});
        long bad = submit(job("\"dataFile\": \"" + TinyLlama.alpacaFile() + "\"")
                .replace(BASE.toString(), broken.toString())
                .replace(TinyLlama.alpacaFile().toString(), copyIntoRoots().toString()));
        MockMultipartFile file = new MockMultipartFile(
                "file", "alpaca_data.json", "application/json", Files.readAllBytes(TinyLlama.alpacaFile()));
        MockMultipartFile part = new MockMultipartFile("job", "", "application/json", job("").getBytes());
        MvcResult result = mvc.perform(
                        multipart("/api/finetune-jobs").file(file).file(part).header("X-API-Key", KEY))
                .andExpect(status().isAccepted())
                .andReturn();
        long good = JSON.readTree(result.getResponse().getContentAsString())
                .get("id")
                .asLong();

        JsonNode failed = await(bad, "FAILED");
        assertThat(failed.get("error").asString()).contains("model.safetensors");
        JsonNode done = await(good, "COMPLETED");
        assertThat(done.get("step").asInt()).isEqualTo(3);
    }

    @Test
    void aRunningJobCanBeCancelled() throws Exception {
        long id = submit(
                job("\"dataFile\": \"" + copyIntoRoots() + "\"").replace("\"maxSteps\": 3", "\"maxSteps\": 500"));
        Instant deadline = Instant.now().plusSeconds(120);
        while (view(id).get("step").asInt() < 1 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        JsonNode running = view(id);
        assertThat(running.get("status").asString()).isEqualTo("RUNNING");
        assertThat(running.get("totalSteps").asInt()).isEqualTo(500);
        assertThat(running.get("etaSeconds").asLong()).as(running.toString()).isPositive();
        assertThat(running.get("eta").asString()).isNotBlank();
        mvc.perform(post("/api/finetune-jobs/" + id + "/cancel").header("X-API-Key", KEY))
                .andExpect(status().isAccepted());
        JsonNode cancelled = await(id, "CANCELLED");
        assertThat(cancelled.get("step").asInt()).isLessThan(500);
        mvc.perform(get("/api/finetune-jobs/" + id + "/adapter").header("X-API-Key", KEY))
                .andExpect(status().isConflict());
        mvc.perform(get("/api/finetune-jobs/999999").header("X-API-Key", KEY)).andExpect(status().isNotFound());
    }

    private static Path copyIntoRoots() throws Exception {
        Path target = ROOT.resolve("models/data/alpaca_small.json");
        Files.createDirectories(target.getParent());
        Files.copy(TinyLlama.alpacaFile(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private void seedPool() {
        for (int i = 0; i < 6; i++) {
            jdbc.update("""
                    INSERT INTO instruction (text, origin, language, is_classification, status, created_at, updated_at)
                    VALUES (?, 'IMPORTED', 'en', false, 'ACCEPTED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""", "Write the number " + i + " in words.");
            Long instruction = jdbc.queryForObject("SELECT MAX(id) FROM instruction", Long.class);
            jdbc.update(
                    "INSERT INTO instance (instruction_id, input, output, status, position) VALUES (?, '', ?, 'ACCEPTED', 0)",
                    instruction,
                    "number " + i);
        }
    }

    private void expect400(String body, String detail) throws Exception {
        mvc.perform(post("/api/finetune-jobs")
                        .header("X-API-Key", KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString(detail)));
    }

    private long submit(String body) throws Exception {
        MvcResult result = mvc.perform(post("/api/finetune-jobs")
                        .header("X-API-Key", KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.status").value("QUEUED"))
                .andReturn();
        return JSON.readTree(result.getResponse().getContentAsString())
                .get("id")
                .asLong();
    }

    private JsonNode view(long id) throws Exception {
        return JSON.readTree(mvc.perform(get("/api/finetune-jobs/" + id).header("X-API-Key", KEY))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private JsonNode await(long id, String status) throws Exception {
        Instant deadline = Instant.now().plusSeconds(180);
        JsonNode job = view(id);
        while (!job.get("status").asString().equals(status) && Instant.now().isBefore(deadline)) {
            assertThat(job.get("status").asString())
                    .as("job " + id + ": " + job.get("error"))
                    .isIn("QUEUED", "RUNNING");
            Thread.sleep(100);
            job = view(id);
        }
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo(status);
        return job;
    }
}
