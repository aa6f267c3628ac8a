package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of earlier positions per layer, (batch, kv_heads, past, head_dim), after rotary. The positions
 * live in preallocated blocks of {@value #BLOCK} positions: a step writes its keys and values into the free part
 * of the block in place, and only when a block is full is a larger one allocated and the old one copied into it
 * (once per {@value #BLOCK} tokens, not a concatenation per token). The stores outlive the steps'
 * {@link NDScope}s; what a step reads is a view of the filled positions, freed with its scope.
 */
public final class KvCache implements AutoCloseable {

    /** Positions allocated at a time. */
    public static final int BLOCK = 64;

    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;
    private int allocations;

    public KvCache(int layers) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of cached positions. */
    public long length() {
        return length;
    }

    /** Positions the blocks hold before the next allocation. */
    public long capacity() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** How many times layer 0's block was allocated (tests: once per {@value #BLOCK} positions). */
    public int allocations() {
        return allocations;
    }

    int layers() {
        return keys.length;
    }

    NDList append(int layer, NDArray k, NDArray v) {
        long seq = k.getShape().get(2);
        long filled = length; // the same for every layer: it moves on after the last one
        long needed = filled + seq;
        if (keys[layer] == null || keys[layer].getShape().get(2) < needed) {
            grow(layer, k, v, filled, needed);
        }
        NDIndex slot = new NDIndex(":, :, {}:{}, :", filled, needed);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        if (layer == keys.length - 1) {
            length = needed;
        }
        NDIndex all = new NDIndex(":, :, 0:{}, :", needed);
        return new NDList(keys[layer].get(all), values[layer].get(all));
    }

    /** A block of {@link #BLOCK}-rounded capacity for at least {@code needed} positions, the filled ones copied. */
    private void grow(int layer, NDArray k, NDArray v, long filled, long needed) {
        long capacity = (needed + BLOCK - 1) / BLOCK * BLOCK;
        Shape shape = new Shape(
                k.getShape().get(0), k.getShape().get(1), capacity, k.getShape().get(3));
        NDArray newK = k.getManager().zeros(shape, k.getDataType());
        NDArray newV = v.getManager().zeros(shape, v.getDataType());
        NDScope.unregister(newK, newV);
        if (keys[layer] != null) {
            NDIndex old = new NDIndex(":, :, 0:{}, :", filled);
            newK.set(old, keys[layer].get(old));
            newV.set(old, values[layer].get(old));
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newK;
        values[layer] = newV;
        if (layer == 0) {
            allocations++;
        }
    }

    /** The filled keys of a layer, (batch, kv_heads, length, head_dim), as a view in the current scope. */
    NDArray keys(int layer) {
        return keys[layer].get(new NDIndex(":, :, 0:{}, :", length));
    }

    NDArray values(int layer) {
        return values[layer].get(new NDIndex(":, :, 0:{}, :", length));
    }

    /**
     * A cache over given stores (unregistered from any scope, owned by the cache from now on) whose first
     * {@code length} positions are filled.
     */
    static KvCache over(NDArray[] keys, NDArray[] values, long length) {
        KvCache cache = new KvCache(keys.length);
        for (int i = 0; i < keys.length; i++) {
            NDScope.unregister(keys[i], values[i]);
            cache.keys[i] = keys[i];
            cache.values[i] = values[i];
        }
        cache.length = length;
        return cache;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
            keys[i] = null;
            values[i] = null;
        }
        length = 0;
    }
}
