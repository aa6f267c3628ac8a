package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of earlier positions per layer, (batch, kv_heads, past, head_dim), after rotary. Each step's
 * arrays outlive the step's {@link NDScope}; the previous step's are freed as they are replaced.
 */
public final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of cached positions. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    NDList append(int layer, NDArray k, NDArray v) {
        NDArray newK = keys[layer] == null ? k : DecoderLayer.concatKeys(keys[layer], k);
        NDArray newV = values[layer] == null ? v : DecoderLayer.concatKeys(values[layer], v);
        closeLayer(layer);
        NDScope.unregister(newK, newV);
        keys[layer] = newK;
        values[layer] = newV;
        return new NDList(newK, newV);
    }

    private void closeLayer(int layer) {
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            closeLayer(i);
            keys[i] = null;
            values[i] = null;
        }
    }
}
