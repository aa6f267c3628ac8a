package io.selfinstruct.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneStatus;
import io.selfinstruct.finetune.data.PromptFormat;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.ModelRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible server through openai-java, OpenAI's own client, over HTTP: the golden tiny Llama under
 * a model root, with its PEFT adapter served as a completed fine-tune job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenAiServerTest {

    static final Path ROOT = tempRoot();
    static final Path BASE = ROOT.resolve("tiny-llama/model");
    static final Path ADAPTER = ROOT.resolve("adapters/run1");
    static final String NAME = "tiny-llama/model";
    /** A one-line chat template (the tiny model has none) so chat requests render a known prompt. */
    static final String TEMPLATE = "{% for m in messages %}<|{{ m.role }}|> {{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
        registry.add("selfinstruct.serve.aliases.tiny", () -> NAME);
    }

    @BeforeAll
    static void writeModels() throws IOException {
        if (Files.exists(BASE.resolve("config.json"))) {
            return;
        }
        copy(
                "model",
                BASE,
                "config.json",
                "generation_config.json",
                "model.safetensors",
                "tokenizer.json",
                "tokenizer_config.json");
        Files.writeString(BASE.resolve("chat_template.jinja"), TEMPLATE);
        copy("adapter", ADAPTER, "adapter_config.json", "adapter_model.safetensors");
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelRuntime runtime;

    @Autowired
    FineTuneJobRepository jobs;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl("http://localhost:" + port + "/v1")
                .apiKey("test-key")
                .maxRetries(0)
                .build();
    }

    @Test
    void listsModelDirectoriesAliasesAndCompletedJobs() {
        long job = completedJob();
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains(NAME, "tiny", "job-" + job).doesNotContain("adapters/run1");
    }

    @Test
    void greedyCompletionsEqualTheRuntimesOwnGreedyOutput() {
        String prompt = "The capital of France is";
        Completion completion = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(NAME)
                        .prompt(prompt)
                        .maxTokens(12)
                        .temperature(0.0)
                        .build());
        String expected = runtime.withModel(
                BASE,
                null,
                loaded -> ModelRuntime.generate(
                                loaded,
                                loaded.tokenizer().encode(prompt),
                                GenerationOptions.greedy(12, loaded.eosTokenIds()))
                        .text());
        assertThat(expected).isNotEmpty();
        assertThat(completion.choices().get(0).text()).isEqualTo(expected);
        assertThat(completion.model()).isEqualTo(NAME);
        long promptTokens = runtime.withModel(
                BASE, null, loaded -> (long) loaded.tokenizer().encode(prompt).length);
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(promptTokens);
        assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 12L);
    }

    @Test
    void chatWithAnAdapterJobUsesItsAlpacaPromptAndEqualsTheRuntimesGreedyOutput() {
        long job = completedJob();
        ChatCompletion chat = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("job-" + job)
                        .addUserMessage("Name three rivers.")
                        .maxCompletionTokens(10)
                        .temperature(0.0)
                        .n(2)
                        .build());
        String expected = alpacaGreedy(ADAPTER, "Name three rivers.", 10);
        String base = alpacaGreedy(null, "Name three rivers.", 10);
        assertThat(expected).as("the adapter changes the output").isNotEqualTo(base);
        assertThat(chat.choices()).hasSize(2);
        for (ChatCompletion.Choice choice : chat.choices()) {
            assertThat(choice.message().content()).contains(expected);
        }
        assertThat(chat.choices().get(1).index()).isEqualTo(1);
    }

    @Test
    void chatRendersTheModelsChatTemplate() {
        ChatCompletion chat = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("tiny")
                        .addSystemMessage("Be brief.")
                        .addUserMessage("Hi")
                        .maxCompletionTokens(8)
                        .temperature(0.0)
                        .build());
        String expected = runtime.withModel(
                BASE,
                null,
                loaded -> ModelRuntime.generate(
                                loaded,
                                loaded.tokenizer()
                                        .encodeWithoutSpecialTokens("<|system|> Be brief.\n<|user|> Hi\n<|assistant|>"),
                                GenerationOptions.greedy(8, loaded.eosTokenIds()))
                        .text());
        assertThat(chat.choices().get(0).message().content()).contains(expected);
        assertThat(chat.usage().orElseThrow().completionTokens()).isBetween(1L, 8L);
    }

    @Test
    void streamingGivesTheSameTextAsAPlainRequest() {
        ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder()
                .model(NAME)
                .addUserMessage("Tell me a story.")
                .maxCompletionTokens(16)
                .temperature(0.0)
                .n(2)
                .build();
        String plain = client.chat()
                .completions()
                .create(chat)
                .choices()
                .get(0)
                .message()
                .content()
                .orElse("");
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        List<String> finishes = new ArrayList<>();
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(chat)) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunks++;
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(streamed[(int) choice.index()]::append);
                    choice.finishReason().ifPresent(f -> finishes.add(f.asString()));
                }
            }
        }
        assertThat(plain).isNotEmpty();
        assertThat(streamed[0].toString()).isEqualTo(plain);
        assertThat(streamed[1].toString()).isEqualTo(plain);
        assertThat(finishes).hasSize(2);
        assertThat(chunks)
                .as("one chunk per token or so, not one for the whole text")
                .isGreaterThan(6);

        CompletionCreateParams text = CompletionCreateParams.builder()
                .model(NAME)
                .prompt("Once upon a time")
                .maxTokens(12)
                .temperature(0.0)
                .build();
        String plainText = client.completions().create(text).choices().get(0).text();
        StringBuilder streamedText = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(text)) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> streamedText.append(ch.text())));
        }
        assertThat(streamedText.toString()).isEqualTo(plainText);
    }

    @Test
    void stopStringsCutTheOutputAsOpenAiDoes() {
        String full = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(NAME)
                        .prompt("Once upon a time")
                        .maxTokens(20)
                        .temperature(0.0)
                        .build())
                .choices()
                .get(0)
                .text();
        String stop = full.substring(Math.min(full.length() - 1, 5), Math.min(full.length(), 8));
        Completion cut = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(NAME)
                        .prompt("Once upon a time")
                        .maxTokens(20)
                        .temperature(0.0)
                        .stop(stop)
                        .build());
        assertThat(cut.choices().get(0).text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(cut.choices().get(0).finishReason().asString()).isEqualTo("stop");
    }

    @Test
    void tokenizeAndDetokenizeAsVllm() throws Exception {
        JsonNode text = post("/tokenize", "{\"model\":\"" + NAME + "\",\"prompt\":\"Hello world\"}", 200);
        long[] expected =
                runtime.withModel(BASE, null, loaded -> loaded.tokenizer().encode("Hello world"));
        assertThat(text.path("count").asInt()).isEqualTo(expected.length);
        assertThat(text.path("max_model_len").asInt()).isEqualTo(256);
        List<Long> tokens = new ArrayList<>();
        text.path("tokens").forEach(t -> tokens.add(t.asLong()));
        assertThat(tokens)
                .containsExactly(java.util.Arrays.stream(expected).boxed().toArray(Long[]::new));
        assertThat(tokens.get(0)).as("bos").isEqualTo(1L);

        JsonNode chat =
                post("/tokenize", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 200);
        long[] rendered = runtime.withModel(
                BASE, null, loaded -> loaded.tokenizer().encodeWithoutSpecialTokens("<|user|> Hi\n<|assistant|>"));
        assertThat(chat.path("count").asInt()).isEqualTo(rendered.length);

        JsonNode back = post("/detokenize", "{\"model\":\"" + NAME + "\",\"tokens\":" + tokens + "}", 200);
        assertThat(back.path("prompt").asString()).isEqualTo("Hello world");
        JsonNode bad = post("/detokenize", "{\"model\":\"" + NAME + "\",\"tokens\":[99999]}", 400);
        assertThat(bad.path("error").path("param").asString()).isEqualTo("tokens");
    }

    @Test
    void errorsComeInOpenAisShape() throws Exception {
        JsonNode unknown = post(
                "/v1/chat/completions",
                "{\"model\":\"no-such\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                404);
        assertThat(unknown.path("error").path("code").asString()).isEqualTo("model_not_found");
        assertThat(unknown.path("error").path("message").asString()).contains("no-such");

        JsonNode tooLong =
                post("/v1/completions", "{\"model\":\"" + NAME + "\",\"prompt\":\"" + "word ".repeat(600) + "\"}", 400);
        assertThat(tooLong.path("error").path("message").asString()).contains("maximum context length is 256 tokens");
        JsonNode tooMany =
                post("/v1/completions", "{\"model\":\"" + NAME + "\",\"prompt\":\"Hi\",\"max_tokens\":100000}", 400);
        assertThat(tooMany.path("error").path("message").asString()).contains("256");

        JsonNode badN = post("/v1/completions", "{\"model\":\"" + NAME + "\",\"prompt\":\"Hi\",\"n\":0}", 400);
        assertThat(badN.path("error").path("param").asString()).isEqualTo("n");
        JsonNode escape = post("/v1/completions", "{\"model\":\"../../etc\",\"prompt\":\"Hi\"}", 404);
        assertThat(escape.path("error").path("code").asString()).isEqualTo("model_not_found");

        HttpResponse<String> noKey = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/models"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(noKey.body())
                        .path("error")
                        .path("code")
                        .asString())
                .isEqualTo("invalid_api_key");
    }

    @Test
    void chatLogprobsAreTheLogSoftmaxOfTheRawLogitsAtEachStep() throws Exception {
        String user = "Tell me a story.";
        int top = 5;
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(NAME)
                .addUserMessage(user)
                .maxCompletionTokens(10)
                .temperature(0.0)
                .n(3) // three sequences of one request decode batched together
                .logprobs(true)
                .topLogprobs(top)
                .build();
        ChatCompletion chat = client.chat().completions().create(params);

        JsonNode tokenized = post(
                "/tokenize",
                "{\"model\":\"" + NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"}]}",
                200);
        long[] prompt = new long[tokenized.path("tokens").size()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = tokenized.path("tokens").get(i).asLong();
        }
        long[] generated = runtime.withModel(
                BASE,
                null,
                loaded -> ModelRuntime.generate(loaded, prompt, GenerationOptions.greedy(10, loaded.eosTokenIds()))
                        .tokenIds());
        double[][] expected = logSoftmaxAfterEachPrefix(prompt, generated);

        assertThat(chat.choices()).hasSize(3);
        for (ChatCompletion.Choice choice : chat.choices()) {
            List<ChatCompletionTokenLogprob> content =
                    choice.logprobs().orElseThrow().content().orElseThrow();
            assertThat(content).hasSize(generated.length);
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                ChatCompletionTokenLogprob step = content.get(i);
                joined.append(step.token());
                assertThat(step.bytes().orElseThrow()).containsExactlyElementsOf(bytesOf(step.token()));
                List<ChatCompletionTokenLogprob.TopLogprob> tops = step.topLogprobs();
                assertThat(tops).hasSize(top);
                assertThat(tops)
                        .extracting(ChatCompletionTokenLogprob.TopLogprob::logprob)
                        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
                double max = java.util.Arrays.stream(expected[i]).max().orElseThrow();
                assertThat(step.logprob())
                        .as("greedy takes the most likely token")
                        .isCloseTo(max, within(1e-4));
                assertThat(tops.get(0).logprob()).isCloseTo(step.logprob(), within(1e-4));
                assertThat(step.logprob()).isCloseTo(expected[i][(int) generated[i]], within(1e-4));
                double[] sorted = java.util.Arrays.stream(expected[i])
                        .boxed()
                        .sorted(java.util.Comparator.reverseOrder())
                        .mapToDouble(Double::doubleValue)
                        .toArray();
                for (int k = 0; k < top; k++) {
                    assertThat(tops.get(k).logprob()).isCloseTo(sorted[k], within(1e-4));
                }
            }
            // the tokens concatenate to the answer; a character whose UTF-8 bytes span two byte-level tokens shows as
            // U+FFFD in each of them (their `bytes` are those of that text), so compare the characters of one byte
            String answer = choice.message().content().orElse("");
            assertThat(answer).isNotEmpty();
            assertThat(joined.toString().replaceAll("[^\\x00-\\x7F]", ""))
                    .isEqualTo(answer.replaceAll("[^\\x00-\\x7F]", ""));
        }

        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(params.toBuilder().n(1).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.logprobs().flatMap(l -> l.content()).ifPresent(streamed::addAll);
                }
            }
        }
        List<ChatCompletionTokenLogprob> plain =
                chat.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertThat(streamed).hasSameSizeAs(plain);
        for (int i = 0; i < plain.size(); i++) {
            assertThat(streamed.get(i).token()).isEqualTo(plain.get(i).token());
            assertThat(streamed.get(i).logprob()).isCloseTo(plain.get(i).logprob(), within(1e-6));
            assertThat(streamed.get(i).topLogprobs()).hasSize(top);
        }

        ChatCompletion without = client.chat()
                .completions()
                .create(params.toBuilder().n(1).topLogprobs(0).build());
        assertThat(without.choices().get(0).logprobs().orElseThrow().content().orElseThrow())
                .hasSize(generated.length)
                .allSatisfy(step -> assertThat(step.topLogprobs()).isEmpty());
    }

    @Test
    void logprobsValidationAsOpenAi() throws Exception {
        String messages = ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        JsonNode alone =
                post("/v1/chat/completions", "{\"model\":\"" + NAME + "\"" + messages + ",\"top_logprobs\":2}", 400);
        assertThat(alone.path("error").path("param").asString()).isEqualTo("top_logprobs");
        assertThat(alone.path("error").path("type").asString()).isEqualTo("invalid_request_error");
        JsonNode tooMany = post(
                "/v1/chat/completions",
                "{\"model\":\"" + NAME + "\"" + messages + ",\"logprobs\":true,\"top_logprobs\":21}",
                400);
        assertThat(tooMany.path("error").path("param").asString()).isEqualTo("top_logprobs");
        JsonNode off = post(
                "/v1/chat/completions",
                "{\"model\":\"" + NAME + "\"" + messages + ",\"max_tokens\":2,\"logprobs\":false}",
                200);
        assertThat(off.path("choices").get(0).path("logprobs").isNull()).isTrue();
        JsonNode legacy = post(
                "/v1/completions",
                "{\"model\":\"" + NAME + "\",\"prompt\":\"Hi\",\"max_tokens\":4,\"temperature\":0,\"logprobs\":2}",
                200);
        JsonNode lp = legacy.path("choices").get(0).path("logprobs");
        assertThat(lp.path("tokens").size()).isEqualTo(lp.path("token_logprobs").size());
        assertThat(lp.path("top_logprobs").get(0).size()).isBetween(1, 2);
        assertThat(lp.path("text_offset").get(0).asInt()).isZero();
    }

    /** Row i: log_softmax of the logits after the prompt and the first i generated tokens, in one forward pass. */
    private double[][] logSoftmaxAfterEachPrefix(long[] prompt, long[] generated) {
        long[] all = java.util.stream.LongStream.concat(
                        java.util.Arrays.stream(prompt), java.util.Arrays.stream(generated))
                .toArray();
        return runtime.withModel(BASE, null, loaded -> {
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                scope.suppressNotUsedWarning();
                var ids = loaded.model().manager().create(all, new ai.djl.ndarray.types.Shape(1, all.length));
                var logits = loaded.model().forward(ids, null, null, null);
                double[][] rows = new double[generated.length][];
                for (int i = 0; i < generated.length; i++) {
                    float[] row = logits.get("0, " + (prompt.length - 1 + i)).toFloatArray();
                    double max = Double.NEGATIVE_INFINITY;
                    for (float x : row) {
                        max = Math.max(max, x);
                    }
                    double sum = 0;
                    for (float x : row) {
                        sum += Math.exp(x - max);
                    }
                    double logZ = max + Math.log(sum);
                    rows[i] = new double[row.length];
                    for (int v = 0; v < row.length; v++) {
                        rows[i][v] = row[v] - logZ;
                    }
                }
                return rows;
            }
        });
    }

    private static List<Long> bytesOf(String token) {
        List<Long> bytes = new ArrayList<>();
        for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            bytes.add((long) (b & 0xff));
        }
        return bytes;
    }

    private String alpacaGreedy(Path adapter, String instruction, int maxNewTokens) {
        return runtime.withModel(
                BASE,
                adapter,
                loaded -> ModelRuntime.generate(
                                loaded,
                                PromptFormat.ALPACA.promptIds(loaded.tokenizer(), instruction, ""),
                                GenerationOptions.greedy(maxNewTokens, loaded.eosTokenIds()))
                        .text());
    }

    private JsonNode post(String path, String body, int status) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .header("Authorization", "Bearer test-key")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JsonMapper.builder().build().readTree(response.body());
    }

    private long completedJob() {
        FineTuneJob job = new FineTuneJob(BASE.toString(), "lora", "{}", "{\"template\":\"alpaca\"}", "cpu");
        job.setStatus(FineTuneStatus.COMPLETED);
        job.setOutputDir(ADAPTER.toString());
        return jobs.save(job).getId();
    }

    private static void copy(String part, Path target, String... files) {
        try {
            Files.createDirectories(target);
            for (String file : files) {
                try (InputStream in =
                        OpenAiServerTest.class.getResourceAsStream("/golden/tiny-llama/" + part + "/" + file)) {
                    Files.copy(in, target.resolve(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("served-models").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
