package io.selfinstruct.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.Generator;
import io.selfinstruct.llama.sampling.Sampler;
import io.selfinstruct.llama.sampling.SequenceBias;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sequence bias, bad words and sequence suppression against transformers' SequenceBiasLogitsProcessor and
 * NoBadWordsLogitsProcessor in greedy generate() on tiny-llama (golden/extra/sequence_bias, copied from
 * shared/data/golden): generated ids equal, processed scores (output_scores) within 1e-5 in float32.
 */
class SequenceBiasGoldenTest {

    static final float TOLERANCE = 1e-5f;

    static JsonNode golden;
    static Path tensors;
    static LlamaModel model;
    static ModelTokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        Path extra = Path.of(
                SequenceBiasGoldenTest.class.getResource("/golden/extra").toURI());
        golden = JsonMapper.builder().build().readTree(Files.readString(extra.resolve("sequence_bias.json")));
        tensors = extra.resolve("sequence_bias.safetensors");
        Path modelDir = Golden.of("tiny-llama").modelDir();
        model = LlamaLoader.load(modelDir, Device.cpu(), DataType.FLOAT32);
        tokenizer = ModelTokenizer.load(modelDir);
        generator = new Generator(model, tokenizer::decode);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "p1, plain", "p1, sequence_bias", "p1, bad_words", "p1, suppression",
        "p2, plain", "p2, sequence_bias", "p2, bad_words", "p2, suppression"
    })
    void greedyGenerationMatchesTransformers(String prompt, String run) {
        JsonNode runNode = golden.path("prompts").path(prompt).path("runs").path(run);
        long[] promptIds = Golden.ids(golden.path("prompts").path(prompt).path("prompt"));
        long[] expectedIds = Golden.ids(runNode.path("new_token_ids"));
        GenerationOptions options = options(runNode.path("generate_kwargs"));

        Generation generation = generator.generate(promptIds, options);

        assertArrayEquals(expectedIds, generation.tokenIds(), prompt + " " + run + " generated ids");
        float[][] expectedScores = rows(prompt + "." + run + ".scores");
        for (int step = 0; step < expectedIds.length; step++) {
            assertClose(expectedScores[step], generation.stepScores().get(step), run + " step " + step);
        }
    }

    /** The processors alone, on transformers' own raw logits: no model error in the way. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "p1, sequence_bias", "p1, bad_words", "p1, suppression",
        "p2, sequence_bias", "p2, bad_words", "p2, suppression"
    })
    void processorsTurnTransformersLogitsIntoItsScores(String prompt, String run) {
        JsonNode runNode = golden.path("prompts").path(prompt).path("runs").path(run);
        long[] context = Golden.ids(golden.path("prompts").path(prompt).path("prompt"));
        long[] generated = Golden.ids(runNode.path("new_token_ids"));
        Sampler sampler = new Sampler(options(runNode.path("generate_kwargs")));
        float[][] logits = rows(prompt + "." + run + ".logits");
        float[][] scores = rows(prompt + "." + run + ".scores");
        List<Integer> changed = new ArrayList<>();
        for (int step = 0; step < generated.length; step++) {
            float[] processed = sampler.process(logits[step], context);
            assertClose(scores[step], processed, run + " step " + step);
            assertEquals(generated[step], sampler.choose(processed), run + " step " + step + " argmax");
            if (!Arrays.equals(logits[step], processed)) {
                changed.add(step);
            }
            context = Arrays.copyOf(context, context.length + 1);
            context[context.length - 1] = generated[step];
        }
        assertEquals(runNode.path("first_changed_step").asInt(), changed.get(0), "first step a bias applied");
    }

    @Test
    void suppressionFactorIsTheGoldensFloatBias() {
        JsonNode biases = golden.path("setup").path("biases");
        assertEquals(
                (float) biases.path("suppression_float32").asDouble(),
                SequenceBias.suppression(new long[] {5}, 0.95).bias());
    }

    private static GenerationOptions options(JsonNode kwargs) {
        List<SequenceBias> biases = new ArrayList<>();
        for (JsonNode entry : kwargs.path("sequence_bias")) {
            long[] ids = Golden.ids(entry.get(0));
            biases.add(
                    kwargs.has("multiplicative_factor")
                            ? SequenceBias.suppression(
                                    ids, kwargs.path("multiplicative_factor").asDouble())
                            : new SequenceBias(ids, (float) entry.get(1).asDouble()));
        }
        List<long[]> badWords = new ArrayList<>();
        kwargs.path("bad_words_ids").forEach(entry -> badWords.add(Golden.ids(entry)));
        return GenerationOptions.builder(
                        golden.path("setup").path("max_new_tokens").asInt())
                .eosTokenIds(Set.of(golden.path("setup").path("eos_token_id").asLong()))
                .sequenceBias(biases)
                .badWords(badWords)
                .recordLogits(true)
                .build();
    }

    private static float[][] rows(String key) {
        try (SafetensorsFile file = SafetensorsFile.open(tensors)) {
            long[] shape = file.info(key).shape();
            float[] flat = file.readFloats(key);
            int width = (int) shape[1];
            float[][] rows = new float[(int) shape[0]][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = Arrays.copyOfRange(flat, r * width, (r + 1) * width);
            }
            return rows;
        }
    }

    /** Within {@link #TOLERANCE}, with -inf (a banned token) exactly where transformers has it. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isInfinite(expected[i]) || Float.isInfinite(actual[i])) {
                assertEquals(expected[i], actual[i], what + " token " + i);
            } else {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
        }
        assertTrue(max <= TOLERANCE, what + " differs by " + max);
    }
}
