package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.rouge.RougeL;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The paper's loop inside one service: a self-instruct batch whose teacher is a model the service serves itself
 * ({@code "baseUrl": "self"}), called through the service's own {@code /v1} with its own key, at price 0. The
 * golden tiny Llama's answers are nonsense; the parsers, filters and ROUGE-L admission decide what joins the pool,
 * as with any teacher.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"selfinstruct.batches.poll-interval=100ms"})
class SelfTaughtBatchTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path ROOT = tempRoot();
    static final Path TEACHER = ROOT.resolve("tiny-llama/teacher");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
    }

    /**
     * The golden model's weights, with room for the instance prompts' few-shot examples: the golden config says
     * 256 positions, the prompts of steps 2 and 3 are longer (rotary positions have no learned limit).
     */
    @BeforeAll
    static void writeModel() throws IOException {
        Files.createDirectories(TEACHER);
        for (String file : new String[] {
            "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"
        }) {
            try (InputStream in = SelfTaughtBatchTest.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                Files.copy(in, TEACHER.resolve(file));
            }
        }
        Path config = TEACHER.resolve("config.json");
        Files.writeString(
                config,
                Files.readString(config)
                        .replace("\"max_position_embeddings\": 256", "\"max_position_embeddings\": 4096"));
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBatchTaughtByTheServicesOwnModelRunsToItsTarget() throws Exception {
        HttpResponse<String> created = send(post("/api/batches", """
                {"baseUrl": "self", "model": "tiny-llama/teacher", "api": "completions",
                 "targetInstructions": 3, "maxTokens": 300, "concurrency": 2, "randomSeed": 7}"""));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        long id = JSON.readTree(created.body()).get("id").asLong();

        JsonNode batch;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (true) {
            batch = JSON.readTree(send(get("/api/batches/" + id)).body());
            String status = batch.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                break;
            }
            assertThat(Instant.now()).as("never ended: %s", batch).isBefore(deadline);
            Thread.sleep(200);
        }
        assertThat(batch.get("status").asString()).as("%s", batch).isEqualTo("COMPLETED");
        assertThat(batch.get("accepted").asInt()).isEqualTo(3);
        assertThat(batch.get("config").get("baseUrl").asString()).isEqualTo("self");
        assertThat(batch.get("costUsd").asDouble()).isZero();
        assertThat(batch.toString()).doesNotContain("test-key").doesNotContain("localhost");

        // every call is stored and costed like any other, at price 0, under the served model's name
        List<Map<String, Object>> calls = jdbc.queryForList(
                "select step, model, prompt, response, status, cost_usd, completion_tokens from llm_call "
                        + "where batch_id = ? order by id",
                id);
        assertThat(calls).hasSize(batch.get("requests").asInt());
        assertThat(calls).allSatisfy(call -> {
            assertThat(call.get("MODEL")).isEqualTo("tiny-llama/teacher");
            assertThat(call.get("STATUS")).isEqualTo("SUCCEEDED");
            assertThat(((Number) call.get("COST_USD")).doubleValue()).isZero();
        });
        assertThat(calls.stream()
                        .mapToInt(c -> ((Number) c.get("COMPLETION_TOKENS")).intValue())
                        .sum())
                .isEqualTo(batch.get("completionTokens").asInt())
                .isPositive();

        // the answers are the served model's own: the greedy steps (2, and 3 with its presence penalty) give the
        // same text when asked again through /v1
        Map<String, Object> classify = step(calls, "classify");
        assertThat(complete(classify, "\"max_tokens\": 3, \"stop\": [\"\\n\", \"Task\"]"))
                .isEqualTo(classify.get("RESPONSE"));
        Map<String, Object> instances = step(calls, "generate_instances");
        String stop = "\"stop\": [\"Example 6\", \"Task:\"], \"presence_penalty\": 1.5";
        String again = complete(instances, "\"max_tokens\": 350, " + stop);
        String againClassification = complete(instances, "\"max_tokens\": 300, " + stop);
        assertThat(List.of(again, againClassification)).contains((String) instances.get("RESPONSE"));

        // the pool: the target exactly, each instruction with instances, no two closer than the ROUGE-L threshold
        List<String> accepted = jdbc.queryForList(
                "select text from instruction where batch_id = ? and status = 'ACCEPTED' order by id",
                String.class,
                id);
        assertThat(accepted).hasSize(3);
        for (int i = 0; i < accepted.size(); i++) {
            for (int j = i + 1; j < accepted.size(); j++) {
                assertThat(RougeL.score(accepted.get(i), accepted.get(j)).fmeasure())
                        .isLessThanOrEqualTo(RougeL.SELF_INSTRUCT_THRESHOLD);
            }
        }
        assertThat(jdbc.queryForObject(
                        "select count(distinct i.id) from instruction i join instance x on x.instruction_id = i.id "
                                + "where i.batch_id = ? and i.status = 'ACCEPTED'",
                        Integer.class,
                        id))
                .isEqualTo(3);
    }

    @Test
    void aSelfTaughtBatchIsCheckedWhenItIsCreated() throws Exception {
        String teacher = "\"baseUrl\": \"self\", \"model\": \"tiny-llama/teacher\", \"targetInstructions\": 1";
        assertRefused("{\"baseUrl\": \"self\", \"model\": \"job-999\", \"targetInstructions\": 1}", "not served");
        assertRefused(
                "{" + teacher + ", \"price\": {\"inputPerMillion\": 1, \"outputPerMillion\": 1}}", "cost nothing");
        assertRefused("{" + teacher + ", \"maxCostUsd\": 1}", "cost nothing");
        assertRefused("{" + teacher + ", \"delivery\": \"batch-api\"}", "online only");
        assertRefused("{\"baseUrl\": \"ftp://x\", \"model\": \"m\", \"targetInstructions\": 1}", "self");
        // the service's own address is the same as self
        HttpResponse<String> byAddress = send(post("/api/batches", """
                {"baseUrl": "http://localhost:%d/v1", "model": "nope", "targetInstructions": 1}""".formatted(port)));
        assertThat(byAddress.statusCode()).isEqualTo(400);
        assertThat(byAddress.body()).contains("not served");
    }

    private void assertRefused(String body, String says) throws Exception {
        long before = jdbc.queryForObject("select count(*) from batch", Long.class);
        HttpResponse<String> response = send(post("/api/batches", body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains(says);
        assertThat(jdbc.queryForObject("select count(*) from batch", Long.class))
                .isEqualTo(before);
    }

    private static Map<String, Object> step(List<Map<String, Object>> calls, String step) {
        return calls.stream()
                .filter(c -> step.equals(c.get("STEP")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + step + " call"));
    }

    /** The stored call's prompt sent again to /v1/completions, greedy (top_p 0, as the batch sends it). */
    private String complete(Map<String, Object> call, String fields) throws Exception {
        String body = "{\"model\": \"tiny-llama/teacher\", \"prompt\": " + JSON.writeValueAsString(call.get("PROMPT"))
                + ", \"temperature\": 0, \"top_p\": 0, " + fields + "}";
        HttpResponse<String> response = http.send(
                post("/v1/completions", body)
                        .header("Authorization", "Bearer test-key")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("choices").get(0).get("text").asString();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("X-API-Key", "test-key").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("self-taught-batch");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
