package io.selfinstruct.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.JudgeScripts;
import io.selfinstruct.support.ScriptedLlmServer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Models given as "self" (or as a plain served model's name) are asked through the service's own {@code /v1} on
 * the port it listens on (a random one here), with the service's API key: the golden tiny Llama answers both sides.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "selfinstruct.evaluations.poll-interval=100ms")
class EvaluationSelfModelTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path ROOT = tempRoot();
    static final Path BASE = ROOT.resolve("tiny-llama/model");
    static final String TEMPLATE = "{% for m in messages %}<|{{ m.role }}|> {{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";
    static final JudgeScripts judgeScript = new JudgeScripts();
    static final ScriptedLlmServer judge = ScriptedLlmServer.start(judgeScript.longer(), 0);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
        registry.add("selfinstruct.serve.aliases.tiny", () -> "tiny-llama/model");
        registry.add("selfinstruct.llm.base-url", judge::baseUrl);
        registry.add("selfinstruct.llm.allowed-base-urls", judge::baseUrl);
    }

    @BeforeAll
    static void writeModel() throws IOException {
        Files.createDirectories(BASE);
        for (String file : new String[] {
            "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"
        }) {
            try (InputStream in =
                    EvaluationSelfModelTest.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                Files.copy(in, BASE.resolve(file));
            }
        }
        Files.writeString(BASE.resolve("chat_template.jinja"), TEMPLATE);
    }

    @AfterAll
    static void stop() {
        judge.close();
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void selfModelsAnswerThroughTheServicesOwnV1() throws Exception {
        int judgedBefore = judgeScript.seen().size();
        String created = send(HttpRequest.newBuilder(uri("/api/evaluations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"models": ["tiny", {"baseUrl": "self", "model": "tiny-llama/model"}],
                         "judge": {"baseUrl": "%s", "model": "judge"}, "instructions": {"seedSet": "default"},
                         "limit": 2, "maxTokens": 6, "concurrency": 1}""".formatted(judge.baseUrl()))));
        JsonNode evaluation = JSON.readTree(created);
        long id = evaluation.get("id").asLong();
        assertThat(evaluation.get("modelA").get("baseUrl").asString()).isEqualTo("self");
        assertThat(evaluation.get("modelB").get("baseUrl").asString()).isEqualTo("self");

        evaluation = awaitEnd(id);
        assertThat(evaluation.get("status").asString())
                .as("error: %s", evaluation.get("error"))
                .isEqualTo("COMPLETED");
        assertThat(evaluation.get("progress").get("done").asInt()).isEqualTo(2);
        // the same model greedily on both sides: equal answers, a tie in both orders
        assertThat(evaluation.get("summary").get("ties").asInt()).isEqualTo(2);
        assertThat(evaluation.get("costUsd").asDouble()).isZero();

        JsonNode items = JSON.readTree(send(get("/api/evaluations/" + id + "/items?size=10")));
        assertThat(items.size()).isEqualTo(2);
        for (JsonNode item : items) {
            assertThat(item.get("answerA").asString())
                    .isNotEmpty()
                    .isEqualTo(item.get("answerB").asString());
        }
        assertThat(judgeScript.seen()).hasSize(judgedBefore + 4);
        assertThat(created + JSON.writeValueAsString(evaluation)).doesNotContain("test-key");
    }

    @Test
    void heldOutOfJobAsksWhatTheJobDidNotTrainOn() throws Exception {
        Path data = ROOT.resolve("held-out-data.json");
        try (InputStream in = EvaluationSelfModelTest.class.getResourceAsStream("/finetune/alpaca_small.json")) {
            Files.copy(in, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String config = """
                {"baseModel": "%s", "dataFile": "%s", "valSetSize": 4, "seed": 5, "device": "cpu"}""".formatted(BASE, data);
        long job = insertJob(config, data);
        List<io.selfinstruct.finetune.data.Example> examples = io.selfinstruct.finetune.data.AlpacaFile.read(data);
        List<Integer> heldOut = io.selfinstruct.finetune.FineTuneRun.heldOut(
                JSON.readValue(config, io.selfinstruct.finetune.FineTuneRequest.class)
                        .toSpec(new io.selfinstruct.models.ModelRoots(List.of(ROOT.toString())), null),
                examples);

        String created = send(HttpRequest.newBuilder(uri("/api/evaluations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"models": ["tiny", "tiny-llama/model"], "judge": {"baseUrl": "%s", "model": "judge"},
                         "instructions": {"heldOutOfJob": %d}, "limit": 3, "maxTokens": 4, "concurrency": 1}""".formatted(judge.baseUrl(), job))));
        long id = JSON.readTree(created).get("id").asLong();
        JsonNode evaluation = awaitEnd(id);
        assertThat(evaluation.get("status").asString()).as("%s", evaluation).isEqualTo("COMPLETED");
        assertThat(evaluation.get("instructions").asString()).isEqualTo("heldOutOfJob:" + job);
        JsonNode items = JSON.readTree(send(get("/api/evaluations/" + id + "/items?size=10")));
        assertThat(items.size()).isEqualTo(3);
        for (int k = 0; k < 3; k++) {
            var example = examples.get(heldOut.get(k));
            assertThat(items.get(k).get("instruction").asString()).isEqualTo(example.instruction());
            assertThat(items.get(k).get("input").asString()).isEqualTo(example.input());
        }

        // a job that held nothing out, one that does not exist, and a job id that is not a number
        long none = insertJob(config.replace("\"valSetSize\": 4", "\"valSetSize\": 0"), data);
        assertThat(evaluationOf("{\"heldOutOfJob\": " + none + "}").body()).contains("held nothing out");
        HttpResponse<String> missing = evaluationOf("{\"heldOutOfJob\": 99999}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(evaluationOf("{\"heldOutOfJob\": \"seven\"}").statusCode()).isEqualTo(400);
    }

    private JsonNode awaitEnd(long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            JsonNode evaluation = JSON.readTree(send(get("/api/evaluations/" + id)));
            String status = evaluation.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return evaluation;
            }
            assertThat(Instant.now()).as("never ended: %s", evaluation).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    /** A job row as the worker leaves it once its data is fixed: the snapshot of every record of the file. */
    private long insertJob(String config, Path data) {
        List<io.selfinstruct.finetune.data.Example> examples = io.selfinstruct.finetune.data.AlpacaFile.read(data);
        List<Long> ids =
                java.util.stream.LongStream.range(0, examples.size()).boxed().toList();
        var snapshot = io.selfinstruct.finetune.data.DataSnapshot.of(ids, examples);
        java.sql.Timestamp now = java.sql.Timestamp.from(Instant.now());
        var key = new org.springframework.jdbc.support.GeneratedKeyHolder();
        jdbc.update(
                c -> {
                    var statement = c.prepareStatement(
                            "insert into finetune_job (base_model, method, data_selection, config, device, status, "
                                    + "metrics, samples, created_at, updated_at, snapshot_ids, snapshot_examples, "
                                    + "snapshot_sha256) values (?, 'lora', '{}', ?, 'cpu', 'FAILED', '[]', '[]', ?, ?, "
                                    + "?, ?, ?)",
                            new String[] {"id"});
                    statement.setString(1, BASE.toString());
                    statement.setString(2, config);
                    statement.setTimestamp(3, now);
                    statement.setTimestamp(4, now);
                    statement.setString(5, snapshot.encodedIds());
                    statement.setInt(6, snapshot.size());
                    statement.setString(7, snapshot.sha256());
                    return statement;
                },
                key);
        return key.getKey().longValue();
    }

    private HttpResponse<String> evaluationOf(String instructions) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri("/api/evaluations"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Key", "test-key")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"models": ["tiny", "tiny"], "judge": {"baseUrl": "%s", "model": "judge"},
                                 "instructions": %s}""".formatted(judge.baseUrl(), instructions)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    private String send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response =
                http.send(request.header("X-API-Key", "test-key").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body();
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("evaluation-self-models");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
