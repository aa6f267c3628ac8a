package io.selfinstruct.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.ModelRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Concurrent requests to one model decode together: two streaming chat requests share their forward passes (the
 * decode loop's batch sizes say so) and each gets the tokens it gets alone; more than the queue holds is a 429.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenAiBatchingTest {

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", OpenAiServerTest.ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
        registry.add("selfinstruct.serve.join-wait", () -> "1s");
        registry.add("selfinstruct.serve.max-queued", () -> "2");
    }

    @BeforeAll
    static void writeModels() throws Exception {
        if (!Files.exists(OpenAiServerTest.BASE.resolve("config.json"))) {
            OpenAiServerTest.writeModels();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelRuntime runtime;

    @Autowired
    DecodeLoop decoding;

    @Test
    void twoConcurrentStreamsDecodeInTheSameForwardPassesAndAsAlone() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl("http://localhost:" + port + "/v1")
                .apiKey("test-key")
                .maxRetries(0)
                .build();
        List<String> messages = List.of("Tell me a story.", "What is the capital of France? Answer in a word or two.");
        int before = decoding.batchSizes().size();
        List<CompletableFuture<String>> streams = messages.stream()
                .map(message -> CompletableFuture.supplyAsync(() -> streamed(client, message)))
                .toList();
        List<String> texts = streams.stream().map(CompletableFuture::join).toList();

        List<Integer> sizes =
                decoding.batchSizes().subList(before, decoding.batchSizes().size());
        assertThat(sizes).as("batched steps of both sequences").contains(2);
        assertThat(sizes.stream().filter(s -> s == 2).count()).isGreaterThanOrEqualTo(10);
        for (int i = 0; i < messages.size(); i++) {
            String prompt = "<|user|> " + messages.get(i) + "\n<|assistant|>";
            String alone = runtime.withModel(
                    OpenAiServerTest.BASE,
                    null,
                    loaded -> ModelRuntime.generate(
                                    loaded,
                                    loaded.tokenizer().encodeWithoutSpecialTokens(prompt),
                                    GenerationOptions.greedy(24, loaded.eosTokenIds()))
                            .text());
            assertThat(texts.get(i)).as("request " + i).isEqualTo(alone);
        }
    }

    @Test
    void moreThanTheQueueHoldsIsA429WithRetryAfter() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions"))
                                .header("Authorization", "Bearer test-key")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + OpenAiServerTest.NAME
                                        + "\",\"prompt\":\"Hi\",\"n\":3,\"max_tokens\":4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertThat(response.body()).contains("\"type\":\"rate_limit_exceeded\"").contains("max-queued");
    }

    private static String streamed(OpenAIClient client, String message) {
        StringBuilder text = new StringBuilder();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(OpenAiServerTest.NAME)
                .addUserMessage(message)
                .maxCompletionTokens(24)
                .temperature(0.0)
                .build();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }
        return text.toString();
    }
}
