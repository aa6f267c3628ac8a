package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * torch's {@code clip_grad_norm_}: the L2 norm over all gradients together, and when it exceeds the limit every
 * gradient scaled by {@code max / (norm + 1e-6)}. DJL's optimizers only clamp single elements.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /** Returns the norm before clipping; {@code maxNorm <= 0} only measures. */
    public static double clipByGlobalNorm(TrainableWeights weights, double maxNorm) {
        double sumSquares = 0;
        for (NDArray w : weights.byName().values()) {
            if (w.hasGradient()) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    sumSquares += w.getGradient().square().sum().getFloat();
                }
            }
        }
        double norm = Math.sqrt(sumSquares);
        if (maxNorm > 0 && norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + 1e-6));
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (NDArray w : weights.byName().values()) {
                    if (w.hasGradient()) {
                        w.getGradient().muli(factor);
                    }
                }
            }
        }
        return norm;
    }
}
