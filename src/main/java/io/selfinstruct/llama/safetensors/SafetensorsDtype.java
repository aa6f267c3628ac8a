package io.selfinstruct.llama.safetensors;

import io.selfinstruct.llama.ModelLoadException;

/** The safetensors element types this runtime reads; all are widened to float32 (or float16) on load. */
public enum SafetensorsDtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    static SafetensorsDtype parse(String code, String tensor) {
        try {
            return valueOf(code);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(
                    "tensor " + tensor + " has dtype " + code + "; only F32, F16 and BF16 weights are supported");
        }
    }
}
