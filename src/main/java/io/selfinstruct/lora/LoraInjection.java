package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.LlamaModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Swaps fresh LoRA layers into a model by target-module name, initialised as PEFT's {@code reset_lora_parameters}:
 * A from {@code kaiming_uniform_(a=sqrt(5))}, which for a fan-in of {@code in} is U(-1/sqrt(in), 1/sqrt(in)),
 * and B zero, so the wrapped model starts out exactly equal to the base model.
 */
public final class LoraInjection {

    private LoraInjection() {}

    /** The new LoRA layers by module path, A and B float32 and trainable; the base weights stay frozen. */
    public static Map<String, LoraLinear> inject(LlamaModel model, LoraConfig config, long seed) {
        Random random = new Random(seed);
        NDManager manager = model.manager();
        Map<String, LoraLinear> injected = new LinkedHashMap<>();
        for (Map.Entry<String, LinearLayer> entry : model.linearLayers().entrySet()) {
            if (!config.targets(entry.getKey())) {
                continue;
            }
            FrozenLinear base = entry.getValue().base();
            int in = (int) base.inFeatures();
            NDArray a = manager.create(kaimingUniform(random, config.r(), in), new Shape(config.r(), in));
            NDArray b = manager.zeros(new Shape(base.outFeatures(), config.r()), DataType.FLOAT32);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            LoraLinear lora = new LoraLinear(base, a, b, config.scaling(), (float) config.loraDropout());
            model.replaceLinear(entry.getKey(), lora);
            injected.put(entry.getKey(), lora);
        }
        if (injected.isEmpty()) {
            throw new IllegalArgumentException(
                    "target modules " + config.targetModules() + " match no projection of the model");
        }
        return injected;
    }

    /** kaiming_uniform_ with a = sqrt(5): gain sqrt(2 / (1 + a^2)), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in). */
    static float[] kaimingUniform(Random random, int rows, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] values = new float[rows * fanIn];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return values;
    }
}
