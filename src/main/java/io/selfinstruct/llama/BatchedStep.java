package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One decoding step for several sequences at once, each with its own {@link KvCache} of its own length: the caches
 * are left-padded to the longest into one batch, the new tokens run through the model in a single forward pass
 * with an attention mask that hides the padding (positions count only a sequence's own tokens, as generate()
 * computes them under left padding), and each sequence's new keys and values go back into its own cache.
 */
public final class BatchedStep {

    private BatchedStep() {}

    /**
     * @param caches one per sequence, each holding at least one position
     * @param tokens the token each sequence feeds now
     * @return each sequence's next-token logits
     */
    public static float[][] forward(LlamaModel model, List<KvCache> caches, long[] tokens) {
        int batch = caches.size();
        if (batch != tokens.length || batch == 0) {
            throw new IllegalArgumentException("one token per cache");
        }
        long longest = caches.stream().mapToLong(KvCache::length).max().orElseThrow();
        int layers = caches.get(0).layers();
        NDManager manager = model.manager();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray[] keys = new NDArray[layers];
            NDArray[] values = new NDArray[layers];
            for (int layer = 0; layer < layers; layer++) {
                keys[layer] = padded(caches, layer, longest, true);
                values[layer] = padded(caches, layer, longest, false);
            }
            long[] mask = new long[batch * (int) (longest + 1)];
            for (int b = 0; b < batch; b++) {
                long pad = longest - caches.get(b).length();
                for (long j = pad; j <= longest; j++) {
                    mask[(int) (b * (longest + 1) + j)] = 1;
                }
            }
            try (KvCache joined = KvCache.over(keys, values, longest)) {
                NDArray logits = model.forward(
                        manager.create(tokens, new Shape(batch, 1)),
                        manager.create(mask, new Shape(batch, longest + 1)),
                        joined,
                        null);
                for (int layer = 0; layer < layers; layer++) {
                    NDArray newest = joined.keys(layer).get(new NDIndex(":, :, {}:, :", longest));
                    NDArray newestV = joined.values(layer).get(new NDIndex(":, :, {}:, :", longest));
                    for (int b = 0; b < batch; b++) {
                        caches.get(b)
                                .append(
                                        layer,
                                        newest.get(new NDIndex("{}:{}", b, b + 1)),
                                        newestV.get(new NDIndex("{}:{}", b, b + 1)));
                    }
                }
                float[] flat = logits.toFloatArray();
                int vocab = flat.length / batch;
                float[][] out = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    out[b] = java.util.Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
                }
                return out;
            }
        }
    }

    /** The layer's keys (or values) of every cache, left-padded with zeros to {@code longest} (+1 free slot). */
    private static NDArray padded(List<KvCache> caches, int layer, long longest, boolean keys) {
        NDList rows = new NDList();
        for (KvCache cache : caches) {
            NDArray filled = keys ? cache.keys(layer) : cache.values(layer);
            Shape shape = filled.getShape();
            long pad = longest - cache.length();
            NDArray before = filled.getManager()
                    .zeros(new Shape(shape.get(0), shape.get(1), pad, shape.get(3)), filled.getDataType());
            NDArray free = filled.getManager()
                    .zeros(new Shape(shape.get(0), shape.get(1), 1, shape.get(3)), filled.getDataType());
            rows.add(NDArrays.concat(new NDList(before, filled, free), 2));
        }
        return NDArrays.concat(rows, 0);
    }
}
