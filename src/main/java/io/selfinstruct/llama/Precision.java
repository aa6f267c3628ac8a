package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Dtype moves between float16 weights and the float32 parts (norms, softmax, loss, LoRA). On the CPU
 * everything is float32 and these are no-ops.
 */
public final class Precision {

    private Precision() {}

    public static NDArray cast(NDArray x, DataType type) {
        return x.getDataType() == type ? x : x.toType(type, false);
    }

    public static NDArray fp32(NDArray x) {
        return cast(x, DataType.FLOAT32);
    }
}
