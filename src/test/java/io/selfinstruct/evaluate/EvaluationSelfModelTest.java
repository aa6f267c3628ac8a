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

        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            evaluation = JSON.readTree(send(get("/api/evaluations/" + id)));
            String status = evaluation.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                break;
            }
            assertThat(Instant.now()).as("never ended: %s", evaluation).isBefore(deadline);
            Thread.sleep(100);
        }
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
        assertThat(judgeScript.seen()).hasSize(4);
        assertThat(created + JSON.writeValueAsString(evaluation)).doesNotContain("test-key");
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
