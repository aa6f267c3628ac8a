package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.llama.EosTokens;
import io.selfinstruct.llama.ModelConfig;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.models.ModelRoots;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a job holds out (an evaluation's {@code heldOutOfJob}) is exactly its validation split: the examples the
 * trainer's {@link TrainingSet#split} puts aside, found again without training.
 */
class HeldOutExamplesTest {

    @TempDir
    Path root;

    @Test
    void theHeldOutExamplesAreTheValidationSplitOfTheRun() {
        Path base = TinyLlama.write(root.resolve("base"), 7);
        List<Example> examples = AlpacaFile.read(TinyLlama.alpacaFile());
        for (long seed : new long[] {3, 11}) {
            FineTuneSpec spec = spec(base, 5, seed, 256);
            List<Integer> heldOut = FineTuneRun.heldOut(spec, examples);
            assertThat(heldOut).hasSize(5).doesNotHaveDuplicates();

            TrainingSet run = encode(spec, examples);
            assertThat(run.validation()).hasSize(5);
            FineTuneSpec alone = spec(base, 0, seed, 256);
            for (int k = 0; k < heldOut.size(); k++) {
                long[] expected = encode(alone, List.of(examples.get(heldOut.get(k))))
                        .train()
                        .get(0)
                        .ids();
                assertThat(run.validation().get(k).ids())
                        .as("seed %d, held-out %d", seed, k)
                        .isEqualTo(expected);
            }
        }
        assertThat(FineTuneRun.heldOut(spec(base, 5, 3, 256), examples))
                .isNotEqualTo(FineTuneRun.heldOut(spec(base, 5, 11, 256), examples));
    }

    @Test
    void examplesTheEncoderDropsAreNeverHeldOut() {
        Path base = TinyLlama.write(root.resolve("base"), 7);
        List<Example> examples = AlpacaFile.read(TinyLlama.alpacaFile());
        // a cutoff that half the examples' prompts fill: nothing of their responses is learned, so the encoder drops
        // them, and the split is over the usable ones only
        int[] promptLengths;
        FineTuneSpec full = spec(base, 3, 3, 256);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(base)) {
            promptLengths = examples.stream()
                    .mapToInt(e -> full.template().promptIds(tokenizer, e.instruction(), e.input()).length)
                    .sorted()
                    .toArray();
        }
        int cutoff = promptLengths[promptLengths.length / 2];
        FineTuneSpec spec = spec(base, 3, 3, cutoff);
        TrainingSet run = encode(spec, examples);
        assertThat(run.train().size() + run.validation().size()).isLessThan(examples.size());
        List<Integer> heldOut = FineTuneRun.heldOut(spec, examples);
        FineTuneSpec alone = spec(base, 0, 3, cutoff);
        for (int k = 0; k < heldOut.size(); k++) {
            TrainingSet one = encode(alone, List.of(examples.get(heldOut.get(k)), examples.get(heldOut.get(k))));
            assertThat(run.validation().get(k).ids())
                    .isEqualTo(one.train().get(0).ids());
        }
    }

    private static TrainingSet encode(FineTuneSpec spec, List<Example> examples) {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(spec.baseModel())) {
            List<Long> eos = EosTokens.of(spec.baseModel(), ModelConfig.read(spec.baseModel()), tokenizer);
            return FineTuneRun.encode(spec, examples, tokenizer, eos.isEmpty() ? null : eos.get(0));
        }
    }

    private FineTuneSpec spec(Path base, int valSetSize, long seed, int cutoffLen) {
        String json = """
                {"baseModel": "%s", "valSetSize": %d, "seed": %d, "cutoffLen": %d, "maxPromptLen": 256, "trainOnInputs": false, "device": "cpu"}""".formatted(base, valSetSize, seed, cutoffLen);
        return JsonMapper.builder()
                .build()
                .readValue(json, FineTuneRequest.class)
                .toSpec(new ModelRoots(List.of(root.toString())), null);
    }
}
