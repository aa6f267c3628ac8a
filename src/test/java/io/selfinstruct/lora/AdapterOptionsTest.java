package io.selfinstruct.lora;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The adapter's base name, target_modules "all-linear" and modules_to_save, as PEFT writes and reads them. */
class AdapterOptionsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Golden GOLDEN = Golden.of("tiny-llama");

    @Test
    void baseIsNamedByNameOrPathOrDirectoryNeverByServerPath(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("Llama-3.1-8B"));
        assertEquals("Llama-3.1-8B", PeftAdapter.baseModelName(model));
        Files.writeString(model.resolve("config.json"), "{\"_name_or_path\": \"meta-llama/Llama-3.1-8B\"}");
        assertEquals("meta-llama/Llama-3.1-8B", PeftAdapter.baseModelName(model));
        Files.writeString(model.resolve("config.json"), "{\"_name_or_path\": \"/srv/models/llama\"}");
        assertEquals("Llama-3.1-8B", PeftAdapter.baseModelName(model));
        assertEquals("model", PeftAdapter.baseModelName(GOLDEN.modelDir()));
    }

    @Test
    void allLinearTargetsEveryProjectionButTheHead() {
        LoraConfig config = LoraConfig.parse(JSON.readTree("{\"r\": 4, \"target_modules\": \"all-linear\"}"));
        try (LlamaModel model = LlamaLoader.load(GOLDEN.modelDir(), Device.cpu(), DataType.FLOAT32)) {
            long targeted = model.linearLayers().keySet().stream()
                    .filter(config::targets)
                    .count();
            assertEquals(7L * model.config().numHiddenLayers(), targeted);
            assertFalse(config.targets("lm_head"));
            assertEquals(28, LoraInjection.inject(model, config, 1).size());
        }
    }

    @Test
    void modulesToSaveAreSavedReloadedAndMergedUnderPeftsNames(@TempDir Path dir) {
        List<String> modules = List.of("lm_head", "embed_tokens");
        LoraConfig config = new LoraConfig(4, 8, 0, List.of("q_proj"), null, false, "tiny-llama", modules);
        try (LlamaModel trained = LlamaLoader.load(GOLDEN.modelDir(), Device.cpu(), DataType.FLOAT32);
                LlamaModel reloaded = LlamaLoader.load(GOLDEN.modelDir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            Map<String, LoraLinear> lora = LoraInjection.inject(trained, config, 3);
            Map<String, NDArray> saved = ModulesToSave.wrap(trained, modules);
            // stand-ins for training: the copies move away from the base weights, and B from zero
            saved.values().forEach(w -> w.addi(0.01f));
            lora.values().forEach(l -> l.loraB().addi(0.02f));
            PeftAdapter.save(dir.resolve("adapter"), config, lora, saved);

            JsonNode written = JSON.readTree(read(dir.resolve("adapter/adapter_config.json")));
            assertEquals(JSON.readTree("[\"lm_head\", \"embed_tokens\"]"), written.get("modules_to_save"));
            assertEquals(config, PeftAdapter.readConfig(dir.resolve("adapter")));
            try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("adapter/adapter_model.safetensors"))) {
                assertTrue(file.names()
                        .containsAll(Set.of(
                                "base_model.model.lm_head.weight", "base_model.model.model.embed_tokens.weight")));
                assertArrayEquals(
                        saved.get("lm_head").toFloatArray(), file.readFloats("base_model.model.lm_head.weight"));
            }

            PeftAdapter.apply(dir.resolve("adapter"), reloaded);
            NDArray input = scope.create(new long[] {1, 17, 99, 255, 3}, new Shape(1, 5));
            float[] expected = trained.forward(input, null).toFloatArray();
            assertArrayEquals(expected, reloaded.forward(input, null).toFloatArray(), 1e-5f);

            Path merged = dir.resolve("merged");
            MergedModelExport.write(
                    GOLDEN.modelDir(),
                    merged,
                    lora,
                    ModulesToSave.byWeightName(saved),
                    CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            try (Checkpoint file = Checkpoint.open(merged)) {
                assertArrayEquals(
                        saved.get("embed_tokens").toFloatArray(), file.readFloats("model.embed_tokens.weight"));
            }
            try (LlamaModel full = LlamaLoader.load(merged, Device.cpu(), DataType.FLOAT32)) {
                assertArrayEquals(expected, full.forward(input, null).toFloatArray(), 1e-4f);
            }
        }
    }

    @Test
    void tiedEmbeddingsRefuseModulesToSave() {
        try (LlamaModel tied =
                LlamaLoader.load(Golden.of("tiny-llama-tied").modelDir(), Device.cpu(), DataType.FLOAT32)) {
            assertThatThrownBy(() -> ModulesToSave.wrap(tied, List.of("lm_head")))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("tied word embeddings");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
