package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.Dropout;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.Precision;

/**
 * PEFT's LoRA layer: {@code base(x) + B(A(dropout(x))) * scaling}, with A (r, in) and B (out, r) in float32 and
 * the base layer frozen. A trainer makes A and B trainable with {@link NDArray#setRequiresGradient(boolean)};
 * dropout applies only while {@link #training(boolean)} is on.
 */
public final class LoraLinear implements LinearLayer {

    private final FrozenLinear base;
    private final NDArray loraA;
    private final NDArray loraB;
    private final float scaling;
    private final float dropout;
    private boolean training;

    public LoraLinear(FrozenLinear base, NDArray loraA, NDArray loraB, float scaling, float dropout) {
        if (loraA.getShape().get(1) != base.inFeatures()
                || loraB.getShape().get(0) != base.outFeatures()
                || loraA.getShape().get(0) != loraB.getShape().get(1)) {
            throw new ModelLoadException("LoRA shapes A " + loraA.getShape() + " and B " + loraB.getShape()
                    + " do not fit a linear layer " + base.weight().getShape());
        }
        this.base = base;
        this.loraA = loraA;
        this.loraB = loraB;
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** lora_alpha / r, or lora_alpha / sqrt(r) for rank-stabilised LoRA (use_rslora). */
    public static float scaling(double alpha, int rank, boolean rsLora) {
        return (float) (rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray result = base.forward(x);
        NDArray input = Precision.fp32(x);
        if (training && dropout > 0) {
            input = Dropout.dropout(input, dropout, true).singletonOrThrow();
        }
        NDArray update =
                input.matMul(loraA.transpose()).matMul(loraB.transpose()).mul(scaling);
        return result.add(Precision.cast(update, result.getDataType()));
    }

    /** {@code W + B A * scaling}: the weight PEFT's merge_and_unload writes. */
    public NDArray mergedWeight() {
        NDArray delta = loraB.matMul(loraA).mul(scaling);
        return Precision.fp32(base.weight()).add(delta);
    }

    @Override
    public FrozenLinear base() {
        return base;
    }

    public NDArray loraA() {
        return loraA;
    }

    public NDArray loraB() {
        return loraB;
    }

    public float scaling() {
        return scaling;
    }

    public int rank() {
        return (int) loraA.getShape().get(0);
    }

    public void training(boolean on) {
        this.training = on;
    }
}
