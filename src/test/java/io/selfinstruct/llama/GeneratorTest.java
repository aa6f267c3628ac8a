package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.Generator;
import io.selfinstruct.llama.sampling.SequenceBias;
import io.selfinstruct.lora.PeftAdapter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Greedy decoding against transformers' generate(), cache vs no cache, sampling options, native memory. */
class GeneratorTest {

    static Golden golden;
    static LlamaModel model;
    static ModelTokenizer tokenizer;
    static Generator generator;
    static long[] prompt;

    @BeforeAll
    static void load() {
        golden = Golden.of("tiny-llama");
        model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
        tokenizer = ModelTokenizer.load(golden.modelDir());
        generator = new Generator(model, tokenizer::decode);
        prompt = Golden.ids(golden.json().path("generation").path("prompt"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void greedyMatchesTransformersGenerateWithAndWithoutCache(boolean cache) {
        GenerationOptions options =
                GenerationOptions.greedy(10, Set.of(2L)).withCache(cache).recordingLogits();
        Generation g = generator.generate(prompt, options);
        assertArrayEquals(Golden.ids(golden.json().path("generation").path("new_token_ids")), g.tokenIds());
        assertEquals(Generation.FinishReason.LENGTH, g.finishReason());
        float[] expected = golden.tensor("gen.step_logits");
        for (int step = 0; step < 10; step++) {
            float[] row = java.util.Arrays.copyOfRange(expected, step * 512, (step + 1) * 512);
            float diff = Golden.maxAbsDiff(row, g.stepLogits().get(step));
            assertTrue(diff <= LlamaParityTest.TOLERANCE, "step " + step + " logits differ by " + diff);
        }
    }

    @Test
    void cachedAndUncachedGreedyAgreeOnALongerRunWithAnAdapterModel() {
        Golden rope = Golden.of("tiny-llama3-rope");
        try (LlamaModel other = LlamaLoader.load(rope.modelDir(), Device.cpu(), DataType.FLOAT32)) {
            PeftAdapter.apply(rope.adapterDir(), other);
            Generator g = new Generator(other, tokenizer::decode);
            GenerationOptions options = GenerationOptions.greedy(24, Set.of());
            assertArrayEquals(
                    g.generate(prompt, options.withCache(false)).tokenIds(),
                    g.generate(prompt, options).tokenIds());
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTopKOneIsGreedy() {
        GenerationOptions sampled = GenerationOptions.builder(12)
                .temperature(1.3)
                .topP(0.9)
                .topK(50)
                .repetitionPenalty(1.1)
                .seed(7L)
                .build();
        long[] first = generator.generate(prompt, sampled).tokenIds();
        assertArrayEquals(first, generator.generate(prompt, sampled).tokenIds());
        GenerationOptions topK1 =
                GenerationOptions.builder(10).temperature(0.8).topK(1).seed(3L).build();
        assertArrayEquals(
                Golden.ids(golden.json().path("generation").path("new_token_ids")),
                generator.generate(prompt, topK1).tokenIds());
    }

    @Test
    void stopStringEndsGenerationAndCutsTheText() {
        Generation full = generator.generate(prompt, GenerationOptions.greedy(10, Set.of()));
        String stop = full.text().substring(3, 5);
        GenerationOptions options =
                GenerationOptions.builder(10).stopStrings(List.of(stop)).build();
        Generation cut = generator.generate(prompt, options);
        assertEquals(Generation.FinishReason.STOP_STRING, cut.finishReason());
        assertEquals(full.text().substring(0, full.text().indexOf(stop)), cut.text());
        assertThat(cut.tokenIds().length).isLessThan(10);
    }

    @Test
    void eosStopsGeneration() {
        long firstToken = Golden.ids(golden.json().path("generation").path("new_token_ids"))[0];
        Generation g = generator.generate(prompt, GenerationOptions.greedy(10, Set.of(firstToken)));
        assertEquals(Generation.FinishReason.EOS, g.finishReason());
        assertArrayEquals(new long[] {firstToken}, g.tokenIds());
    }

    @Test
    void aSequenceIsBiasedOnlyWhereItsPrefixEndsTheContextPromptIncluded() {
        long[] greedy = Golden.ids(golden.json().path("generation").path("new_token_ids"));
        GenerationOptions pair = GenerationOptions.builder(5)
                .sequenceBias(List.of(SequenceBias.suppression(new long[] {greedy[0], greedy[1]}, 1e-6)))
                .build();
        long[] steered = generator.generate(prompt, pair).tokenIds();
        assertEquals(greedy[0], steered[0], "the first token of a longer sequence is not penalised");
        assertNotEquals(greedy[1], steered[1]);

        long lastPromptToken = prompt[prompt.length - 1];
        GenerationOptions acrossThePrompt = GenerationOptions.builder(1)
                .badWords(List.of(new long[] {lastPromptToken, greedy[0]}))
                .build();
        assertNotEquals(greedy[0], generator.generate(prompt, acrossThePrompt).tokenIds()[0]);

        GenerationOptions mild = GenerationOptions.builder(10)
                .sequenceBias(List.of(SequenceBias.suppression(new long[] {greedy[0]}, 0.999)))
                .build();
        assertArrayEquals(greedy, generator.generate(prompt, mild).tokenIds());
    }

    @Test
    void repeatedGenerationDoesNotLeakNativeArrays() throws Exception {
        GenerationOptions options = GenerationOptions.greedy(6, Set.of());
        generator.generate(prompt, options);
        int before = managedArrays();
        for (int i = 0; i < 5; i++) {
            generator.generate(prompt, options);
            generator.generate(prompt, options.withCache(false));
        }
        assertEquals(before, managedArrays());
    }

    @SuppressWarnings("unchecked")
    private static int managedArrays() throws Exception {
        var field = BaseNDManager.class.getDeclaredField("resources");
        field.setAccessible(true);
        return ((Map<String, AutoCloseable>) field.get(model.manager())).size();
    }
}
