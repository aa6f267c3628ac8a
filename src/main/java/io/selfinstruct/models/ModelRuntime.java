package io.selfinstruct.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.Generator;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * Scores and samples models for the API. Keeps the last loaded model (with its adapter) in memory, since
 * loading dominates small requests, and swaps adapters over it in place; one request uses the model at a time, and each forward runs in an
 * {@link NDScope} so native memory stays flat over a long run.
 */
@Component
public class ModelRuntime {

    static final int EVALUATE_BATCH = 8;

    private final ModelsProperties properties;
    private LoadedModel loaded;

    public ModelRuntime(ModelsProperties properties) {
        this.properties = properties;
    }

    public record SequenceScore(double loss, int tokens) {}

    /**
     * Runs {@code work} with the model, loading it (and dropping the previous one) when it is not the current. Another
     * adapter over the loaded base is swapped in without loading the base again.
     */
    public synchronized <T> T withModel(Path baseModel, Path adapter, Function<LoadedModel, T> work) {
        if (loaded != null
                && !loaded.isFor(baseModel, adapter)
                && loaded.baseModel().equals(baseModel)) {
            LoadedModel current = loaded;
            loaded = null; // a failed swap has closed the model
            loaded = current.withAdapter(adapter);
            if (loaded == null) {
                current.close();
            }
        }
        if (loaded == null || !loaded.isFor(baseModel, adapter)) {
            if (loaded != null) {
                loaded.close();
                loaded = null;
            }
            loaded = LoadedModel.load(
                    baseModel, adapter, properties.device().resolve(), properties.halfPrecisionOnGpu());
        }
        return work.apply(loaded);
    }

    /** Mean next-token loss of each sequence, as transformers computes it with {@code labels=input_ids}. */
    public static List<SequenceScore> evaluate(LlamaModel model, List<long[]> sequences) {
        List<SequenceScore> scores = new ArrayList<>();
        for (int start = 0; start < sequences.size(); start += EVALUATE_BATCH) {
            List<long[]> batch = sequences.subList(start, Math.min(sequences.size(), start + EVALUATE_BATCH));
            int width = batch.stream().mapToInt(s -> s.length).max().orElse(0);
            long[] ids = new long[batch.size() * width];
            long[] mask = new long[batch.size() * width];
            for (int b = 0; b < batch.size(); b++) {
                long[] seq = batch.get(b);
                System.arraycopy(seq, 0, ids, b * width, seq.length);
                java.util.Arrays.fill(mask, b * width, b * width + seq.length, 1);
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDManager m = model.manager();
                NDArray input = m.create(ids, new Shape(batch.size(), width));
                NDArray attention = m.create(mask, new Shape(batch.size(), width));
                NDArray logits = model.forward(input, attention);
                float[] losses = NextTokenLoss.perSequence(logits, NextTokenLoss.labelsFromInputs(input, attention))
                        .toFloatArray();
                for (int b = 0; b < batch.size(); b++) {
                    scores.add(new SequenceScore(losses[b], batch.get(b).length));
                }
            }
        }
        return scores;
    }

    public static Generation generate(LoadedModel model, long[] prompt, GenerationOptions options) {
        return new Generator(model.model(), model.tokenizer()::decode).generate(prompt, options);
    }

    @PreDestroy
    public synchronized void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
