package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * A pretrained projection whose weights never receive gradients. Weight layout is torch's (out, in), so the
 * tensor maps one to one onto the safetensors entry.
 */
public record FrozenLinear(NDArray weight, NDArray bias) implements LinearLayer {

    @Override
    public NDArray forward(NDArray x) {
        NDArray input = Precision.cast(x, weight.getDataType());
        return Linear.linear(input, weight, bias).singletonOrThrow();
    }

    @Override
    public FrozenLinear base() {
        return this;
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }
}
