package io.selfinstruct.llama;

import java.util.Map;

/**
 * A plain-Java, double-precision Llama/Mistral/Qwen2 forward pass for one sequence, written from the
 * architecture's definition (modeling_qwen2.py / modeling_mistral.py) with loops only: the oracle for the models
 * that have no transformers golden values.
 */
final class ReferenceForward {

    private final ModelConfig c;
    private final Map<String, float[]> w;

    ReferenceForward(ModelConfig config, Map<String, float[]> weights) {
        this.c = config;
        this.w = weights;
    }

    /** logits [seq][vocab]. */
    double[][] logits(long[] ids) {
        int seq = ids.length;
        int hidden = c.hiddenSize();
        double[][] h = new double[seq][];
        for (int t = 0; t < seq; t++) {
            h[t] = row(w.get("model.embed_tokens.weight"), (int) ids[t], hidden);
        }
        for (int layer = 0; layer < c.numHiddenLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            double[][] x = new double[seq][];
            for (int t = 0; t < seq; t++) {
                x[t] = rmsNorm(h[t], w.get(p + "input_layernorm.weight"));
            }
            double[][] attn = attention(x, p);
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < hidden; i++) {
                    h[t][i] += attn[t][i];
                }
                double[] y = rmsNorm(h[t], w.get(p + "post_attention_layernorm.weight"));
                double[] gate = linear(y, p + "mlp.gate_proj");
                double[] up = linear(y, p + "mlp.up_proj");
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = linear(gate, p + "mlp.down_proj");
                for (int i = 0; i < hidden; i++) {
                    h[t][i] += down[i];
                }
            }
        }
        double[][] logits = new double[seq][];
        String head = w.containsKey("lm_head.weight") ? "lm_head" : "model.embed_tokens";
        for (int t = 0; t < seq; t++) {
            logits[t] =
                    matVec(w.get(head + ".weight"), rmsNorm(h[t], w.get("model.norm.weight")), c.vocabSize(), hidden);
        }
        return logits;
    }

    /** Mean next-token cross-entropy with labels = ids. */
    static double loss(double[][] logits, long[] ids) {
        double total = 0;
        for (int t = 0; t + 1 < ids.length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[t]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : logits[t]) {
                sum += Math.exp(v - max);
            }
            total += max + Math.log(sum) - logits[t][(int) ids[t + 1]];
        }
        return total / (ids.length - 1);
    }

    private double[][] attention(double[][] x, String p) {
        int seq = x.length;
        int d = c.headDim();
        int heads = c.numAttentionHeads();
        int group = c.groupSize();
        double[][] q = new double[seq][];
        double[][] k = new double[seq][];
        double[][] v = new double[seq][];
        for (int t = 0; t < seq; t++) {
            q[t] = rope(linear(x[t], p + "self_attn.q_proj"), t, heads);
            k[t] = rope(linear(x[t], p + "self_attn.k_proj"), t, c.numKeyValueHeads());
            v[t] = linear(x[t], p + "self_attn.v_proj");
        }
        double[][] out = new double[seq][heads * d];
        for (int head = 0; head < heads; head++) {
            int kvHead = head / group;
            for (int t = 0; t < seq; t++) {
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    boolean visible = c.slidingWindow() == null || t - s < c.slidingWindow();
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[t][head * d + i] * k[s][kvHead * d + i];
                    }
                    scores[s] = visible ? dot / Math.sqrt(d) : Double.NEGATIVE_INFINITY;
                    max = Math.max(max, scores[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    sum += scores[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int i = 0; i < d; i++) {
                        out[t][head * d + i] += scores[s] / sum * v[s][kvHead * d + i];
                    }
                }
            }
        }
        double[][] projected = new double[seq][];
        for (int t = 0; t < seq; t++) {
            projected[t] = linear(out[t], p + "self_attn.o_proj");
        }
        return projected;
    }

    /** Half-split rotary: pairs (i, i + d/2) rotate by position * theta^(-2i/d). */
    private double[] rope(double[] x, int position, int heads) {
        int d = c.headDim();
        double[] out = x.clone();
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < d / 2; i++) {
                double angle = position * Math.pow(c.ropeTheta(), -2.0 * i / d);
                double a = x[head * d + i];
                double b = x[head * d + i + d / 2];
                out[head * d + i] = a * Math.cos(angle) - b * Math.sin(angle);
                out[head * d + i + d / 2] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return out;
    }

    private double[] rmsNorm(double[] x, float[] weight) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        double scale = 1 / Math.sqrt(ms / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    private double[] linear(double[] x, String name) {
        float[] weight = w.get(name + ".weight");
        int out = weight.length / x.length;
        double[] y = matVec(weight, x, out, x.length);
        float[] bias = w.get(name + ".bias");
        if (bias != null) {
            for (int i = 0; i < out; i++) {
                y[i] += bias[i];
            }
        }
        return y;
    }

    private static double[] matVec(float[] m, double[] x, int rows, int cols) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += m[r * cols + j] * x[j];
            }
            y[r] = sum;
        }
        return y;
    }

    private static double[] row(float[] m, int r, int cols) {
        double[] out = new double[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = m[r * cols + j];
        }
        return out;
    }
}
