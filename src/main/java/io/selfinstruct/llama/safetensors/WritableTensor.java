package io.selfinstruct.llama.safetensors;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A tensor ready to be written: its safetensors dtype, shape and little-endian bytes. */
public record WritableTensor(SafetensorsDtype dtype, long[] shape, ByteBuffer bytes) {

    /** Copies an engine tensor (float32 or float16) to the host. */
    public static WritableTensor of(NDArray array) {
        SafetensorsDtype dtype = switch (array.getDataType()) {
            case FLOAT32 -> SafetensorsDtype.F32;
            case FLOAT16 -> SafetensorsDtype.F16;
            default -> throw new IllegalArgumentException("cannot write " + array.getDataType() + " tensors");
        };
        ByteBuffer host = array.toByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer little = ByteBuffer.allocate(host.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == SafetensorsDtype.F32) {
            while (host.hasRemaining()) {
                little.putFloat(host.getFloat());
            }
        } else {
            while (host.hasRemaining()) {
                little.putShort(host.getShort());
            }
        }
        return new WritableTensor(dtype, array.getShape().getShape(), little.flip());
    }

    public static WritableTensor f32(long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new WritableTensor(SafetensorsDtype.F32, shape, bytes);
    }

    /** Rounds to bfloat16 (nearest, ties to even), the way torch's {@code .to(torch.bfloat16)} does. */
    public static WritableTensor bf16(long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
            bytes.putShort((short) (rounded >>> 16));
        }
        return new WritableTensor(SafetensorsDtype.BF16, shape, bytes.flip());
    }

    long byteSize() {
        return bytes.remaining();
    }
}
