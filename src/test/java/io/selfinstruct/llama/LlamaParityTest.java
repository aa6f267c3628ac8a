package io.selfinstruct.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Logits, losses, rotary frequencies and hidden states against transformers, fp32 on the CPU. */
public class LlamaParityTest {

    public static final float TOLERANCE = 1e-4f;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-llama3-rope"})
    void logitsAndLossesMatchTransformers(String name) {
        Golden golden = Golden.of(name);
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            for (String len : List.of("len1", "len7", "len33")) {
                JsonNode seq = golden.json().path("sequences").path(len);
                long[] ids = Golden.ids(seq.path("input_ids"));
                NDArray input = scope.create(ids, new Shape(1, ids.length));
                NDArray logits = model.forward(input, null);
                float diff = Golden.maxAbsDiff(golden.tensor("base.logits." + len), logits.toFloatArray());
                assertTrue(diff <= TOLERANCE, name + " " + len + " logits differ by " + diff);
                if (!seq.path("loss").isNull()) {
                    float loss = NextTokenLoss.mean(logits, input).getFloat();
                    assertEquals(seq.path("loss").asDouble(), loss, TOLERANCE, name + " " + len + " loss");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-llama3-rope"})
    void ropeAndHiddenStatesMatchTransformers(String name) {
        Golden golden = Golden.of(name);
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            assertArrayEquals(golden.tensor("rope.inv_freq"), model.ropeInvFreq(), 1e-7f, "inv_freq");
            long[] ids = Golden.ids(golden.json().path("sequences").path("len7").path("input_ids"));
            List<NDArray> hidden = new ArrayList<>();
            model.forward(scope.create(ids, new Shape(1, ids.length)), null, null, hidden);
            assertEquals(model.config().numHiddenLayers() + 1, hidden.size());
            for (int i = 0; i < hidden.size(); i++) {
                float diff = Golden.maxAbsDiff(
                        golden.tensor("base.hidden_states.len7." + i),
                        hidden.get(i).toFloatArray());
                assertTrue(diff <= TOLERANCE, name + " hidden state " + i + " differs by " + diff);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"right", "left"})
    void paddedBatchGivesEachSequenceItsOwnLogitsAndLoss(String side) {
        Golden golden = Golden.of("tiny-llama");
        long[] shortIds =
                Golden.ids(golden.json().path("sequences").path("len7").path("input_ids"));
        long[] longIds =
                Golden.ids(golden.json().path("sequences").path("len33").path("input_ids"));
        int width = longIds.length;
        int pad = width - shortIds.length;
        long[] batch = new long[2 * width];
        long[] mask = new long[2 * width];
        for (int i = 0; i < width; i++) {
            batch[i] = longIds[i];
            mask[i] = 1;
        }
        int offset = side.equals("left") ? pad : 0;
        for (int i = 0; i < shortIds.length; i++) {
            batch[width + offset + i] = shortIds[i];
            mask[width + offset + i] = 1;
        }
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = scope.create(batch, new Shape(2, width));
            NDArray attention = scope.create(mask, new Shape(2, width));
            NDArray logits = model.forward(ids, attention);
            float[] longLogits = logits.get("0").toFloatArray();
            float[] shortLogits = logits.get("1, " + offset + ":" + (offset + shortIds.length))
                    .toFloatArray();
            assertTrue(Golden.maxAbsDiff(golden.tensor("base.logits.len33"), longLogits) <= TOLERANCE);
            assertTrue(
                    Golden.maxAbsDiff(golden.tensor("base.logits.len7"), shortLogits) <= TOLERANCE, side + " padded");
            if (side.equals("left")) {
                return; // transformers also counts the first real token as a target of the pad before it
            }
            float[] losses = NextTokenLoss.perSequence(logits, NextTokenLoss.labelsFromInputs(ids, attention))
                    .toFloatArray();
            assertEquals(
                    golden.json().path("sequences").path("len33").path("loss").asDouble(), losses[0], TOLERANCE);
            assertEquals(
                    golden.json().path("sequences").path("len7").path("loss").asDouble(), losses[1], TOLERANCE);
        }
    }
}
