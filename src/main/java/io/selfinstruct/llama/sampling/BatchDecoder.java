package io.selfinstruct.llama.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.BatchedStep;
import io.selfinstruct.llama.KvCache;
import io.selfinstruct.llama.LlamaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes several sequences together, a step at a time, so sequences can join and leave between steps
 * (continuous batching in its simple form): a sequence that has no cache yet runs its prompt alone (prefill), and
 * every other unfinished one feeds its last token in one batched forward pass.
 */
public final class BatchDecoder {

    private BatchDecoder() {}

    /** @return the number of sequences in this step's batched forward pass (0 when there was none) */
    public static int step(LlamaModel model, List<DecodingSequence> sequences) {
        List<DecodingSequence> batched = new ArrayList<>();
        for (DecodingSequence sequence : sequences) {
            if (sequence.finished()) {
                continue;
            }
            if (sequence.cache() == null) {
                sequence.startCache(model.config().numHiddenLayers());
                float[] logits;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    long[] context = sequence.context();
                    NDArray ids = model.manager().create(context, new Shape(1, context.length));
                    logits = model.forward(ids, null, sequence.cache(), null)
                            .get("0, -1")
                            .toFloatArray();
                }
                sequence.accept(logits);
            } else {
                batched.add(sequence);
            }
        }
        if (batched.isEmpty()) {
            return 0;
        }
        List<KvCache> caches = batched.stream().map(DecodingSequence::cache).toList();
        long[] tokens = batched.stream().mapToLong(DecodingSequence::lastToken).toArray();
        float[][] logits = BatchedStep.forward(model, caches, tokens);
        for (int b = 0; b < batched.size(); b++) {
            batched.get(b).accept(logits[b]);
        }
        return batched.size();
    }
}
