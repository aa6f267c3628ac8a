package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.pool.InstanceRepository;
import io.selfinstruct.pool.Instruction;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.rouge.RougeL;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** End to end: batches against a local OpenAI-wire-format server with scripted answers. */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=100ms")
@AutoConfigureMockMvc
class PipelineTest {

    static final ScriptedLlmServer plain = ScriptedLlmServer.start(new SelfInstructScript(true, false), 0);
    static final ScriptedLlmServer chatty = ScriptedLlmServer.start(new SelfInstructScript(true, true), 0);

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", plain::baseUrl);
        registry.add("selfinstruct.llm.allowed-base-urls", () -> plain.baseUrl() + "," + chatty.baseUrl());
        registry.add("selfinstruct.llm.model", () -> "scripted-model");
        registry.add("selfinstruct.llm.prices[priced-model].input-per-million", () -> "20");
        registry.add("selfinstruct.llm.prices[priced-model].output-per-million", () -> "0");
    }

    @AfterAll
    static void stop() {
        plain.close();
        chatty.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    BatchRepository batches;

    @Autowired
    JsonMapper json;

    @Autowired
    InstructionRepository instructions;

    @Autowired
    InstanceRepository instances;

    @Test
    void aBatchNamingAServerThatIsNotAllowedIsRefused() throws Exception {
        long before = batches.count();
        mvc.perform(
                        post("/api/batches")
                                .header("X-API-Key", "test-key")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(
                                        "{\"targetInstructions\": 5, \"baseUrl\": \"http://169.254.169.254/latest/meta-data\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("selfinstruct.llm.allowed-base-urls")));
        assertThat(batches.count()).isEqualTo(before);
    }

    @Test
    void selfInstructGrowsThePoolToExactlyTheTargetAndCountsEveryRejection() throws Exception {
        JsonNode batch = runToEnd("""
                {"mode":"self-instruct","targetInstructions":60,"api":"completions","concurrency":4,"randomSeed":1}""");

        assertThat(batch.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(batch.get("accepted").asInt()).isEqualTo(60);
        long id = batch.get("id").asLong();
        List<Instruction> accepted = acceptedOf(id);
        assertThat(accepted).hasSize(60);
        for (Instruction instruction : accepted) {
            assertThat(instruction.getClassification()).isNotNull();
            assertThat(instruction.getMaxRouge()).isBetween(0.0, 0.7);
            assertThat(instruction.getMostSimilarJson()).contains("\"score\"");
            assertThat(instances.findByInstructionIdOrderByPosition(instruction.getId()))
                    .anyMatch(i -> i.getStatus() == InstructionStatus.ACCEPTED);
        }
        Map<String, Integer> rejected = json.convertValue(batch.get("rejected"), Map.class);
        assertThat(rejected)
                .containsKeys(
                        "too_short",
                        "too_long",
                        "blocklisted_word",
                        "write_a_program",
                        "starts_with_punctuation",
                        "not_english",
                        "rouge_similar",
                        "truncated",
                        "no_valid_instances",
                        "input_equals_output",
                        "conflicting_instances",
                        "empty_output",
                        "ends_with_colon",
                        "duplicate_instance");
        assertThat(rejected.values()).allMatch(n -> n > 0);
        assertThat(batch.get("requests").asLong()).isPositive();
        assertThat(batch.get("promptTokens").asLong()).isPositive();
        assertNoTwoAcceptedAreTooSimilar(RougeTokenizer.DEFAULT, "en");
    }

    @Test
    void alpacaModeWithAChatModelThatDecoratesItsAnswers() throws Exception {
        JsonNode batch = runToEnd("""
                {"mode":"alpaca","targetInstructions":25,"api":"chat","concurrency":3,"baseUrl":"%s"}""".formatted(chatty.baseUrl()));

        assertThat(batch.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(batch.get("accepted").asInt()).isEqualTo(25);
        List<Instruction> accepted = acceptedOf(batch.get("id").asLong());
        assertThat(accepted).hasSize(25).allMatch(i -> !i.getText().contains("**"));
        assertThat(accepted)
                .allSatisfy(i -> assertThat(instances.findByInstructionIdOrderByPosition(i.getId()))
                        .hasSize(1));
        assertThat(json.convertValue(batch.get("rejected"), Map.class)).containsKeys("input_equals_output");
        assertNoTwoAcceptedAreTooSimilar(RougeTokenizer.DEFAULT, "en");
    }

    @Test
    void chineseBatchAdmitsChineseAndRejectsNearDuplicates() throws Exception {
        JsonNode batch = runToEnd("""
                {"targetInstructions":30,"language":"zh","seedSet":"zh","api":"chat","concurrency":2}""");

        assertThat(batch.get("status").asString()).isEqualTo("COMPLETED");
        List<Instruction> accepted = acceptedOf(batch.get("id").asLong());
        assertThat(accepted)
                .hasSize(30)
                .allMatch(i -> i.getText()
                        .codePoints()
                        .anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN));
        Map<String, Integer> rejected = json.convertValue(batch.get("rejected"), Map.class);
        assertThat(rejected).containsKeys("rouge_similar", "not_chinese", "too_short", "blocklisted_word");
        assertNoTwoAcceptedAreTooSimilar(RougeTokenizer.CJK, "zh");
    }

    @Test
    void aBatchStopsCleanlyBeforeItsBudgetIsExceeded() throws Exception {
        JsonNode batch = runToEnd("""
                {"targetInstructions":500,"model":"priced-model","api":"completions","concurrency":4,"maxCostUsd":0.05}""");

        assertThat(batch.get("status").asString()).isEqualTo("PAUSED");
        assertThat(batch.get("statusReason").asString()).isEqualTo("budget reached");
        assertThat(batch.get("costUsd").asDouble()).isPositive().isLessThanOrEqualTo(0.05);
        assertThat(batch.get("accepted").asInt()).isLessThan(500);
    }

    @Test
    void aBudgetOnAModelWithoutAPriceIsRefusedUnlessTheBatchGivesOne() throws Exception {
        long before = batches.count();
        mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"targetInstructions\": 50, \"maxCostUsd\": 0.05}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("'scripted-model' has no price")));
        assertThat(batches.count()).isEqualTo(before);

        JsonNode batch = runToEnd("""
                {"targetInstructions":500,"api":"completions","concurrency":4,"maxCostUsd":0.05,
                 "price":{"inputPerMillion":20,"outputPerMillion":0}}""");
        assertThat(batch.get("status").asString()).isEqualTo("PAUSED");
        assertThat(batch.get("statusReason").asString()).isEqualTo("budget reached");
        assertThat(batch.get("costUsd").asDouble()).isPositive().isLessThanOrEqualTo(0.05);
    }

    @Test
    void pauseResumeAndCancel() throws Exception {
        plain.latencyMillis(50);
        try {
            long id = create("""
                    {"targetInstructions":500,"api":"completions","concurrency":2}""").get("id").asLong();
            waitFor(id, "RUNNING", Duration.ofSeconds(20));
            mvc.perform(post("/api/batches/" + id + "/pause").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.status").value("PAUSED"));
            Thread.sleep(600);
            int acceptedWhilePaused = batch(id).get("accepted").asInt();
            Thread.sleep(600);
            assertThat(batch(id).get("accepted").asInt()).isEqualTo(acceptedWhilePaused);

            mvc.perform(post("/api/batches/" + id + "/resume").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.status").value("QUEUED"));
            waitFor(id, "RUNNING", Duration.ofSeconds(20));
            mvc.perform(post("/api/batches/" + id + "/cancel").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.status").value("CANCELLED"));
            mvc.perform(post("/api/batches/" + id + "/resume").header("X-API-Key", "test-key"))
                    .andExpect(status().isConflict())
                    .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("CANCELLED")));
        } finally {
            plain.latencyMillis(0);
        }
    }

    @Test
    void badRequestsAreProblemDetails() throws Exception {
        mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content("{\"mode\":\"magic\",\"concurrency\":0}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail")
                        .value(org.hamcrest.Matchers.allOf(
                                org.hamcrest.Matchers.containsString("mode must be self-instruct or alpaca"),
                                org.hamcrest.Matchers.containsString("targetInstructions is required"),
                                org.hamcrest.Matchers.containsString("concurrency"))));
        mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content("{\"targetInstructions\":5,\"seedSet\":\"nope\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("seedSet 'nope'")));
        mvc.perform(get("/api/batches/999999").header("X-API-Key", "test-key")).andExpect(status().isNotFound());
    }

    private List<Instruction> acceptedOf(long batchId) {
        return instructions.findAll().stream()
                .filter(i ->
                        Long.valueOf(batchId).equals(i.getBatchId()) && i.getStatus() == InstructionStatus.ACCEPTED)
                .toList();
    }

    private void assertNoTwoAcceptedAreTooSimilar(RougeTokenizer tokenizer, String language) {
        List<String> all = instructions.findAll().stream()
                .filter(i -> i.getStatus() == InstructionStatus.ACCEPTED && language.equals(i.getLanguage()))
                .map(Instruction::getText)
                .toList();
        for (int a = 0; a < all.size(); a++) {
            for (int b = a + 1; b < all.size(); b++) {
                assertThat(RougeL.score(all.get(a), all.get(b), tokenizer).fmeasure())
                        .as("%s vs %s", all.get(a), all.get(b))
                        .isLessThanOrEqualTo(0.7);
            }
        }
    }

    JsonNode runToEnd(String body) throws Exception {
        long id = create(body).get("id").asLong();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        JsonNode batch = batch(id);
        while (!List.of("COMPLETED", "FAILED", "CANCELLED", "PAUSED")
                        .contains(batch.get("status").asString())
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            batch = batch(id);
        }
        assertThat(batch.get("error").isNull())
                .as("error: %s", batch.get("error"))
                .isTrue();
        return batch;
    }

    JsonNode create(String body) throws Exception {
        String response = mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content(body))
                .andExpect(status().isAccepted())
                .andReturn()
                .getResponse()
                .getContentAsString();
        return json.readTree(response);
    }

    JsonNode batch(long id) throws Exception {
        return json.readTree(mvc.perform(get("/api/batches/" + id).header("X-API-Key", "test-key"))
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    void waitFor(long id, String status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!batch(id).get("status").asString().equals(status)) {
            assertThat(Instant.now()).as("batch %d never became %s", id, status).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
