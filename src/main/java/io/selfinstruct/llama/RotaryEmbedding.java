package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in Hugging Face's half-split layout: the first and second halves of each head form
 * the rotated pairs, and {@code cos}/{@code sin} repeat the frequencies twice ({@code cat(freqs, freqs)}).
 */
public final class RotaryEmbedding {

    private final float[] invFreq;

    public RotaryEmbedding(ModelConfig config) {
        this.invFreq = inverseFrequencies(config);
    }

    public float[] invFreq() {
        return invFreq.clone();
    }

    /** {@code 1 / theta^(2i/d)}, then the configured scaling, as transformers' rope init functions compute it. */
    static float[] inverseFrequencies(ModelConfig config) {
        int dim = config.headDim();
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = (float) (1.0 / Math.pow(config.ropeTheta(), exponent));
        }
        RopeScaling s = config.ropeScaling();
        if (s.type().equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] = (float) (inv[i] / s.factor());
            }
        } else if (s.type().equals("llama3")) {
            double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
            double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowFreqWavelen) {
                    inv[i] = (float) (inv[i] / s.factor());
                } else if (wavelen >= highFreqWavelen) {
                    double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
                }
            }
        }
        return inv;
    }

    /** cos and sin for float positions (batch, seq): each (batch, 1, seq, head_dim), float32. */
    public NDList cosSin(NDArray positions) {
        NDArray inv = positions.getManager().create(invFreq).reshape(new Shape(1, 1, invFreq.length));
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(2).mul(inv); // (batch, seq, dim/2)
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), 2).expandDims(1); // (batch, 1, seq, dim)
        return new NDList(emb.cos(), emb.sin());
    }

    /** {@code x * cos + rotate_half(x) * sin} with x (batch, heads, seq, head_dim). */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3); // DJL's split takes no negative axis
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
