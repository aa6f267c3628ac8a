package io.selfinstruct.llama.safetensors;

import io.selfinstruct.llama.ModelLoadException;
import java.nio.ByteBuffer;

/** The safetensors element types this runtime reads and writes; all are widened to float32 (or float16) on load. */
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

    /** Appends {@code count} values to {@code out} (little-endian) in this type, rounded as torch rounds. */
    public void encode(float[] values, int count, ByteBuffer out) {
        for (int i = 0; i < count; i++) {
            switch (this) {
                case F32 -> out.putFloat(values[i]);
                case F16 -> out.putShort(HalfFloat.fromFloat(values[i]));
                case BF16 -> out.putShort(HalfFloat.bfloat16(values[i]));
            }
        }
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
