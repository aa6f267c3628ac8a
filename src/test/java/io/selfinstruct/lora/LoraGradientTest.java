package io.selfinstruct.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The forward pass is differentiable through DJL's autograd: one PEFT training step's loss and LoRA gradients
 * (labels with -100) match PEFT's, which is what the LoRA trainer builds on.
 */
class LoraGradientTest {

    @Test
    void trainStepLossAndLoraGradientsMatchPeft() {
        Golden golden = Golden.of("tiny-llama");
        JsonNode step = golden.json().path("lora").path("train_step");
        long[] ids = flatten(step.path("input_ids"));
        long[] labels = flatten(step.path("labels"));
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(golden.adapterDir(), model);
            lora.values().forEach(l -> {
                l.loraA().setRequiresGradient(true);
                l.loraB().setRequiresGradient(true);
            });
            Shape shape = new Shape(2, ids.length / 2);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(scope.create(ids, shape), null);
                NDArray loss = NextTokenLoss.mean(logits, scope.create(labels, shape));
                assertEquals(step.path("loss").asDouble(), loss.getFloat(), 1e-4);
                collector.backward(loss);
            }
            for (Map.Entry<String, LoraLinear> entry : lora.entrySet()) {
                String key = "train.grad.base_model.model." + entry.getKey();
                float diffA = Golden.maxAbsDiff(
                        golden.tensor(key + ".lora_A.weight"),
                        entry.getValue().loraA().getGradient().toFloatArray());
                float diffB = Golden.maxAbsDiff(
                        golden.tensor(key + ".lora_B.weight"),
                        entry.getValue().loraB().getGradient().toFloatArray());
                assertTrue(
                        diffA <= 1e-5 && diffB <= 1e-5,
                        entry.getKey() + " gradients differ by " + diffA + ", " + diffB);
            }
        }
    }

    private static long[] flatten(JsonNode rows) {
        return rows.values().stream()
                .flatMapToLong(r -> java.util.Arrays.stream(Golden.ids(r)))
                .toArray();
    }
}
