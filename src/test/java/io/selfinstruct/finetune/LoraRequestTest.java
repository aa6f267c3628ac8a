package io.selfinstruct.finetune;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.problem.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The LoRA part of a fine-tune request: any rank from 1, "all-linear", modules_to_save, the base's name. */
class LoraRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    @Test
    void anyRankFromOneAndAllLinearAsPeftExpandsIt() throws Exception {
        Path base = golden("tiny-llama");
        for (int r : new int[] {1, 4, 12}) {
            FineTuneSpec spec = spec(base, "{\"r\": " + r + ", \"targetModules\": \"all-linear\"}");
            assertEquals(r, spec.lora().r());
            assertEquals(FineTuneRequest.PROJECTIONS, spec.lora().targetModules());
            assertEquals("tiny-llama", spec.lora().baseModelNameOrPath());
        }
        assertEquals(
                FineTuneRequest.PROJECTIONS,
                spec(base, "{\"targetModules\": [\"all-linear\"]}").lora().targetModules());
        for (String bad : List.of("{\"r\": 0}", "{\"r\": -8}")) {
            assertThatThrownBy(() -> spec(base, bad))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("lora.r must be at least 1");
        }
        assertThatThrownBy(() -> spec(base, "{\"modulesToSave\": [\"model.norm\"]}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("lora.modulesToSave");
        assertThatThrownBy(() -> spec(golden("tiny-llama-tied"), "{\"modulesToSave\": [\"lm_head\"]}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tied word embeddings");
    }

    @Test
    void modulesToSaveAreTrainedInFullSavedAsPeftAndMerged() throws Exception {
        Path base = golden("tiny-llama");
        FineTuneSpec spec = JSON.readValue("""
                {"baseModel": "%s", "lora": {"r": 4, "targetModules": "all-linear", "modulesToSave": ["lm_head"]},
                 "learningRate": 0.01, "maxSteps": 2, "batchSize": 2, "microBatchSize": 2, "cutoffLen": 128,
                 "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 1, "saveSteps": 0, "device": "cpu",
                 "mergeModel": true}
                """.formatted(base), FineTuneRequest.class)
                .toSpec(new ModelRoots(List.of(root.toString())), null);
        FineTuneRun.Result result = FineTuneRun.execute(
                spec,
                AlpacaFile.read(TinyLlama.alpacaFile()).subList(0, 4),
                root.resolve("job"),
                true,
                new AdapterLayoutTest.QuietListener());
        JsonNode config = JSON.readTree(Files.readString(result.outputDir().resolve("adapter_config.json")));
        assertEquals(JSON.readTree("[\"lm_head\"]"), config.get("modules_to_save"));
        assertEquals(4, config.get("r").asInt());
        assertEquals("tiny-llama", config.get("base_model_name_or_path").asString());
        try (SafetensorsFile adapter = SafetensorsFile.open(result.outputDir().resolve("adapter_model.safetensors"));
                Checkpoint original = Checkpoint.open(base);
                Checkpoint merged = Checkpoint.open(root.resolve("job").resolve(FineTuneRun.MERGED_DIR))) {
            float[] trained = adapter.readFloats("base_model.model.lm_head.weight");
            assertFalse(Arrays.equals(original.readFloats("lm_head.weight"), trained), "lm_head was trained");
            assertTrue(Arrays.equals(trained, merged.readFloats("lm_head.weight")), "and merged as trained");
            assertEquals(2 * 7 * 4 + 1, adapter.names().size(), "A and B of all 28 projections, and lm_head");
        }
    }

    private FineTuneSpec spec(Path base, String lora) {
        String request = "{\"baseModel\": \"%s\", \"lora\": %s}".formatted(base, lora);
        return JSON.readValue(request, FineTuneRequest.class).toSpec(new ModelRoots(List.of(root.toString())), null);
    }

    private Path golden(String name) throws Exception {
        Path base = root.resolve(name);
        Files.createDirectories(base);
        try (var files = Files.list(Path.of("src/test/resources/golden", name, "model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, base.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return base;
    }
}
