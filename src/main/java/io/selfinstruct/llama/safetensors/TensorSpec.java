package io.selfinstruct.llama.safetensors;

/** A tensor to be written: its name, element type and shape, known before any of its bytes. */
public record TensorSpec(String name, SafetensorsDtype dtype, long[] shape) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return elementCount() * dtype.bytes();
    }
}
