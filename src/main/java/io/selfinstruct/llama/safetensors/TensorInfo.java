package io.selfinstruct.llama.safetensors;

import java.util.Arrays;

/**
 * One header entry of a safetensors file. Offsets are longs and relative to the start of the data section, as
 * the format defines them, so shards past 2 GiB are addressed correctly.
 */
public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
