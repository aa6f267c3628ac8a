package io.selfinstruct.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.LlamaParityTest;
import io.selfinstruct.llama.NextTokenLoss;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** PEFT LoRA adapters against PEFT's own logits, losses and merged weights. */
class PeftAdapterTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-llama3-rope"})
    void adapterLogitsAndLossesMatchPeft(String name) {
        Golden golden = Golden.of(name);
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(golden.adapterDir(), model);
            assertEquals(2 * model.config().numHiddenLayers(), lora.size());
            assertEquals(
                    golden.json().path("lora").path("scaling").asDouble(),
                    lora.values().iterator().next().scaling());
            for (String len : List.of("len1", "len7", "len33")) {
                long[] ids =
                        Golden.ids(golden.json().path("sequences").path(len).path("input_ids"));
                NDArray input = scope.create(ids, new Shape(1, ids.length));
                NDArray logits = model.forward(input, null);
                float diff = Golden.maxAbsDiff(golden.tensor("lora.logits." + len), logits.toFloatArray());
                assertTrue(diff <= LlamaParityTest.TOLERANCE, name + " " + len + " adapter logits differ by " + diff);
                JsonNode loss = golden.json()
                        .path("lora")
                        .path("adapter_active")
                        .path(len)
                        .path("loss");
                if (!loss.isNull()) {
                    assertEquals(
                            loss.asDouble(), NextTokenLoss.mean(logits, input).getFloat(), LlamaParityTest.TOLERANCE);
                }
            }
        }
    }

    @Test
    void mergedWeightsMatchMergeAndUnload() {
        Golden golden = Golden.of("tiny-llama");
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                SafetensorsFile expected =
                        SafetensorsFile.open(golden.root().resolve("lora_merged_weights.safetensors"))) {
            Map<String, NDArray> merged = PeftAdapter.mergedWeights(PeftAdapter.apply(golden.adapterDir(), model));
            assertEquals(expected.names(), merged.keySet());
            for (String key : expected.names()) {
                float diff = Golden.maxAbsDiff(
                        expected.readFloats(key), merged.get(key).toFloatArray());
                assertTrue(diff <= 1e-6f, key + " differs by " + diff);
            }
        }
    }

    @Test
    void savedAdapterReloadsWithSameConfigAndWeights(@TempDir Path dir) {
        Golden golden = Golden.of("tiny-llama");
        try (LlamaModel model = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32);
                LlamaModel reloaded = LlamaLoader.load(golden.modelDir(), Device.cpu(), DataType.FLOAT32)) {
            LoraConfig config = PeftAdapter.readConfig(golden.adapterDir());
            Map<String, LoraLinear> lora = PeftAdapter.apply(golden.adapterDir(), model);
            PeftAdapter.save(dir, config, lora, Map.of());
            assertEquals(config, PeftAdapter.readConfig(dir));
            Map<String, LoraLinear> again = PeftAdapter.apply(dir, reloaded);
            String key = "model.layers.2.self_attn.v_proj";
            assertEquals(
                    0f,
                    Golden.maxAbsDiff(
                            lora.get(key).loraB().toFloatArray(),
                            again.get(key).loraB().toFloatArray()));
        }
    }

    @Test
    void rsLoraScalesByTheSquareRootOfTheRank() {
        assertEquals(16 / Math.sqrt(8), LoraLinear.scaling(16, 8, true), 1e-6);
        assertEquals(2.0, LoraLinear.scaling(16, 8, false), 1e-6);
    }
}
