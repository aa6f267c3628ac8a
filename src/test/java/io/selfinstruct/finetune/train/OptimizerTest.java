package io.selfinstruct.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AdamW, clipping and the schedule against their definitions computed by hand. */
class OptimizerTest {

    @Test
    void adamWMatchesTorchsUpdateOverTwoSteps() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = m.create(new float[] {1f, -2f});
            TrainableWeights weights = new TrainableWeights(Map.of("w", w));
            AdamW adam = new AdamW(weights, 0.9, 0.999, 1e-8, 0.1);
            double[] x = {1, -2};
            double[] mom = new double[2];
            double[] vel = new double[2];
            double lr = 0.01;
            for (int t = 1; t <= 2; t++) {
                // loss = sum(w^2 * c): gradient 2 c w
                double c = t;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.square().mul(c).sum());
                }
                adam.step(lr);
                weights.zeroGradients();
                for (int i = 0; i < 2; i++) {
                    double g = 2 * c * x[i];
                    x[i] *= 1 - lr * 0.1;
                    mom[i] = 0.9 * mom[i] + 0.1 * g;
                    vel[i] = 0.999 * vel[i] + 0.001 * g * g;
                    double denom = Math.sqrt(vel[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                    x[i] -= lr / (1 - Math.pow(0.9, t)) * mom[i] / denom;
                }
                float[] got = w.toFloatArray();
                assertEquals(x[0], got[0], 1e-6);
                assertEquals(x[1], got[1], 1e-6);
            }
            assertEquals(0f, w.getGradient().abs().sum().getFloat(), "gradients zeroed after the step");
        }
    }

    @Test
    void clippingScalesEveryGradientByTheGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[] {1f, 2f});
            NDArray b = m.create(new float[] {2f});
            TrainableWeights weights = new TrainableWeights(Map.of("a", a, "b", b));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // gradients: a -> (3, 4) * ... chosen so the global norm is 13: (3, 4) and (12)
                collector.backward(a.mul(m.create(new float[] {3f, 4f}))
                        .sum()
                        .add(b.mul(12f).sum()));
            }
            double norm = GradientClipping.clipByGlobalNorm(weights, 6.5);
            assertEquals(13.0, norm, 1e-5);
            float scale = (float) (6.5 / (13 + 1e-6));
            assertEquals(3 * scale, a.getGradient().toFloatArray()[0], 1e-5);
            assertEquals(12 * scale, b.getGradient().toFloatArray()[0], 1e-5);
            assertEquals(6.5, GradientClipping.clipByGlobalNorm(weights, 0), 1e-4, "0 only measures");
        }
    }

    @Test
    void warmupThenCosineAsTransformers() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 110);
        assertEquals(0, s.at(0), 1e-12);
        assertEquals(5e-4, s.at(5), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(5e-4, s.at(60), 1e-12);
        assertEquals(0, s.at(110), 1e-12);
        TrainingOptions options =
                new TrainingOptions(3, 0, 1e-3, 0, -1, 8, 2, 1, 0, 0, 0, 0, 1, LossNormalization.TOKENS);
        assertEquals(13 * 3, options.totalSteps(100));
        assertEquals(2, options.warmupSteps(39), "3% of the steps, rounded up");
    }
}
