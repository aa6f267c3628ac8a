package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.AdamW with its state (first and second moments) in float32 beside each trainable weight: decoupled
 * weight decay {@code w -= lr * wd * w}, then {@code w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}.
 * Frozen weights get no state at all.
 */
public final class AdamW {

    private final TrainableWeights weights;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private int steps;

    public AdamW(TrainableWeights weights, double beta1, double beta2, double eps, double weightDecay) {
        this.weights = weights;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        weights.byName().forEach((name, w) -> {
            expAvg.put(name, w.zerosLike());
            expAvgSq.put(name, w.zerosLike());
        });
    }

    public void step(double lr) {
        steps++;
        double bias1 = 1 - Math.pow(beta1, steps);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        for (Map.Entry<String, NDArray> entry : weights.byName().entrySet()) {
            NDArray w = entry.getValue();
            if (!w.hasGradient()) {
                continue;
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = w.getGradient();
                NDArray m = expAvg.get(entry.getKey());
                NDArray v = expAvgSq.get(entry.getKey());
                w.muli(1 - lr * weightDecay);
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.square().mul(1 - beta2));
                NDArray denom = v.sqrt().div(bias2Sqrt).add(eps);
                w.subi(m.div(denom).mul(lr / bias1));
            }
        }
    }

    public int steps() {
        return steps;
    }

    /** Moments by weight name, for checkpoints. */
    public Map<String, NDArray> expAvg() {
        return expAvg;
    }

    public Map<String, NDArray> expAvgSq() {
        return expAvgSq;
    }

    /** Restores the step count after a checkpoint's moments were copied into {@link #expAvg()} / {@link #expAvgSq()}. */
    public void restoreSteps(int steps) {
        this.steps = steps;
    }
}
