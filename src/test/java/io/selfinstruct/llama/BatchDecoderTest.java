package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.sampling.BatchDecoder;
import io.selfinstruct.llama.sampling.DecodingSequence;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sequences decoded together, each with its own cache and joining at step boundaries, give the tokens each gives
 * alone: left padding and the attention mask keep them apart in the shared forward pass.
 */
class BatchDecoderTest {

    static LlamaModel model;
    static ModelTokenizer tokenizer;

    @BeforeAll
    static void load() {
        Golden golden = Golden.of("tiny-llama");
        model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
        tokenizer = ModelTokenizer.load(golden.modelDir());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    @Test
    void sequencesOfDifferentLengthsJoiningLateDecodeAsAlone() {
        List<long[]> prompts = List.of(
                tokenizer.encode("The capital of France is"),
                tokenizer.encode("Once upon a time there was a very long prompt indeed, longer than the others"),
                tokenizer.encode("Hi"));
        GenerationOptions greedy = GenerationOptions.greedy(40, Set.of());
        GenerationOptions sampled = GenerationOptions.builder(40)
                .temperature(0.8)
                .topP(0.9)
                .seed(7L)
                .build();
        List<GenerationOptions> options = List.of(greedy, sampled, greedy);
        List<Generation> alone = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            alone.add(new Generator(model, tokenizer::decode).generate(prompts.get(i), options.get(i)));
        }

        List<DecodingSequence> active = new ArrayList<>();
        List<DecodingSequence> all = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        for (int step = 0; all.size() < 3 || active.stream().anyMatch(s -> !s.finished()); step++) {
            if (step == 0 || step == 3 || step == 10) { // the second joins after 3 steps, the third after 10
                int next = all.size();
                DecodingSequence sequence =
                        new DecodingSequence(prompts.get(next), options.get(next), tokenizer::decode, t -> {});
                all.add(sequence);
                active.add(sequence);
            }
            batchSizes.add(BatchDecoder.step(model, active));
        }
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(all.get(i).result().tokenIds())
                    .as("sequence " + i)
                    .containsExactly(alone.get(i).tokenIds());
            assertThat(all.get(i).result().text()).isEqualTo(alone.get(i).text());
        }
        assertThat(batchSizes).contains(1, 2, 3);
    }

    @Test
    void theCacheGrowsByBlocksNotByToken() {
        long[] prompt = tokenizer.encode("Hi");
        KvCache cache = new KvCache(model.config().numHiddenLayers());
        try (cache) {
            for (int i = 0; i < 130; i++) {
                try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                    scope.suppressNotUsedWarning();
                    long[] feed = i == 0 ? prompt : new long[] {5};
                    model.forward(
                            model.manager().create(feed, new ai.djl.ndarray.types.Shape(1, feed.length)),
                            null,
                            cache,
                            null);
                }
            }
            assertThat(cache.length()).isEqualTo(prompt.length + 129);
            assertThat(cache.capacity()).isEqualTo(192);
            assertThat(cache.allocations()).isEqualTo(3);
        }
    }
}
