package io.selfinstruct.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.finetune.TinyLlama;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.ModelRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tokens/s of the /v1 server at 1, 4 and 16 concurrent greedy {@code /v1/completions} requests (one decode loop
 * batching them), beside transformers' {@code generate} at batch 1, 4 and 16 on the same model directory, the same
 * prompt ids and the same number of new tokens (src/test/python/serve_peer_generate.py, run by this test when
 * {@code -Dbench.python} names a Python with torch and transformers). The model is a random-weight Llama (hidden
 * 512, 8 layers, 8 heads / 4 kv heads, intermediate 1536, the golden tokenizer's vocab 512: 25.7M parameters, fp32)
 * whose eos id is 512, outside the vocabulary, so every sequence runs to max_tokens on both sides.
 *
 * <pre>mvn -B -o test -Dtest=ServeThroughputBenchmark -Dsurefire.excludedGroups= -Dbench.python=/work/venv-peer/bin/python</pre>
 */
@Tag("benchmark")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServeThroughputBenchmark {

    static final Path ROOT = tempRoot();
    static final Path BASE = ROOT.resolve("bench/model");
    static final String NAME = "bench/model";
    static final int[] CONCURRENCY = {1, 4, 16};
    static final int NEW_TOKENS = Integer.getInteger("bench.tokens", 32);
    static final int REPS = Integer.getInteger("bench.reps", 3);
    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
    }

    @BeforeAll
    static void writeModel() throws IOException {
        TinyLlama.write(BASE, 17, 512, 512, 1536, 8, 8, 4, false);
        Files.writeString(BASE.resolve("generation_config.json"), "{\"eos_token_id\": 512, \"pad_token_id\": 0}");
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelRuntime runtime;

    private final HttpClient http = HttpClient.newHttpClient();

    /** One thread per concurrent request: the common pool has one thread on a 2-core machine. */
    private final ExecutorService clients = Executors.newFixedThreadPool(16);

    @Test
    void tokensPerSecondAtOneFourAndSixteenConcurrentRequests() throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            prompts.add("Request " + (char) ('A' + i) + ": write a short story about a cat who learns to fly.");
        }
        List<long[]> promptIds = runtime.withModel(
                BASE,
                null,
                loaded ->
                        prompts.stream().map(p -> loaded.tokenizer().encode(p)).toList());
        System.out.printf(
                "prompt lengths (tokens): %s; %d new tokens per request; %d repetitions; %d cores%n",
                promptIds.stream().map(p -> p.length).toList(),
                NEW_TOKENS,
                REPS,
                Runtime.getRuntime().availableProcessors());

        complete(prompts.get(0), 4); // load the model and warm up
        Map<Integer, List<Double>> ours = new LinkedHashMap<>();
        String alone = null;
        for (int c : CONCURRENCY) {
            List<Double> rates = new ArrayList<>();
            for (int rep = 0; rep < REPS; rep++) {
                long start = System.nanoTime();
                List<CompletableFuture<JsonNode>> answers = prompts.subList(0, c).stream()
                        .map(p -> CompletableFuture.supplyAsync(() -> complete(p, NEW_TOKENS), clients))
                        .toList();
                List<JsonNode> done =
                        answers.stream().map(CompletableFuture::join).toList();
                double seconds = (System.nanoTime() - start) / 1e9;
                int tokens = done.stream()
                        .mapToInt(a -> a.path("usage").path("completion_tokens").asInt())
                        .sum();
                assertThat(tokens).isEqualTo(c * NEW_TOKENS);
                rates.add(tokens / seconds);
                System.out.printf(
                        "ours %d concurrent: %d tokens in %.3f s, %.1f tokens/s%n",
                        c, tokens, seconds, tokens / seconds);
                if (c == 1) {
                    alone = done.get(0).path("choices").path(0).path("text").asString();
                }
            }
            ours.put(c, rates);
        }

        long[] oursIds = runtime.withModel(
                BASE,
                null,
                loaded -> ModelRuntime.generate(
                                loaded, promptIds.get(0), GenerationOptions.greedy(NEW_TOKENS, loaded.eosTokenIds()))
                        .tokenIds());
        String oursText =
                runtime.withModel(BASE, null, loaded -> loaded.tokenizer().decode(oursIds));
        System.out.println("ours batch 1 ids (Generator): " + Arrays.toString(oursIds));
        System.out.println("server text equals Generator text: " + oursText.equals(alone));

        Map<Integer, List<Double>> peer = new LinkedHashMap<>();
        String python = System.getProperty("bench.python");
        if (python != null && !python.isBlank()) {
            JsonNode result = runPeer(python, promptIds);
            for (int c : CONCURRENCY) {
                List<Double> rates = new ArrayList<>();
                result.path("rates").path(String.valueOf(c)).forEach(r -> rates.add(r.asDouble()));
                peer.put(c, rates);
            }
            long[] peerIds = new long[result.path("batch1_ids").size()];
            for (int i = 0; i < peerIds.length; i++) {
                peerIds[i] = result.path("batch1_ids").path(i).asLong();
            }
            System.out.printf(
                    "transformers %s, torch %s, %d threads%n",
                    result.path("transformers").asString(),
                    result.path("torch").asString(),
                    result.path("threads").asInt());
            System.out.println("transformers batch 1 ids: " + Arrays.toString(peerIds));
            System.out.println("batch 1 greedy ids equal: " + Arrays.equals(oursIds, peerIds));
            int same = 0;
            JsonNode batched = result.path("batched_ids");
            for (int i = 0; i < batched.size(); i++) {
                long[] ids = new long[batched.path(i).size()];
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = batched.path(i).path(j).asLong();
                }
                int row = i;
                long[] mine = runtime.withModel(
                        BASE,
                        null,
                        loaded -> ModelRuntime.generate(
                                        loaded,
                                        promptIds.get(row),
                                        GenerationOptions.greedy(NEW_TOKENS, loaded.eosTokenIds()))
                                .tokenIds());
                same += Arrays.equals(mine, ids) ? 1 : 0;
            }
            System.out.printf(
                    "transformers batch-%d rows equal to our greedy output alone: %d of %d%n",
                    batched.size(), same, batched.size());
        }

        System.out.println("RESULT | concurrency | ours tokens/s (median) | transformers tokens/s (median) | ratio |");
        for (int c : CONCURRENCY) {
            double o = median(ours.get(c));
            Double t = peer.containsKey(c) ? median(peer.get(c)) : null;
            System.out.printf(
                    "RESULT | %d | %.1f %s | %s | %s |%n",
                    c,
                    o,
                    ours.get(c),
                    t == null ? "-" : "%.1f %s".formatted(t, peer.get(c)),
                    t == null ? "-" : "%.2f".formatted(o / t));
        }
    }

    private JsonNode runPeer(String python, List<long[]> promptIds) throws Exception {
        Path prompts = ROOT.resolve("prompts.json");
        Path out = ROOT.resolve("peer.json");
        Files.writeString(prompts, JSON.writeValueAsString(promptIds));
        Path script = Path.of("src/test/python/serve_peer_generate.py").toAbsolutePath();
        Process process = new ProcessBuilder(
                        python,
                        script.toString(),
                        "--model",
                        BASE.toString(),
                        "--prompts",
                        prompts.toString(),
                        "--out",
                        out.toString(),
                        "--batches",
                        "1,4,16",
                        "--max-new-tokens",
                        String.valueOf(NEW_TOKENS),
                        "--reps",
                        String.valueOf(REPS),
                        "--threads",
                        String.valueOf(Runtime.getRuntime().availableProcessors()))
                .inheritIO()
                .start();
        assertThat(process.waitFor()).as("peer script exit status").isZero();
        return JSON.readTree(Files.readString(out));
    }

    private JsonNode complete(String prompt, int maxTokens) {
        Map<String, Object> body = Map.of("model", NAME, "prompt", prompt, "max_tokens", maxTokens, "temperature", 0.0);
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions"))
                            .header("Authorization", "Bearer test-key")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("serve-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
