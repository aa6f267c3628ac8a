package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ModelConfigTest {

    static ModelConfig parse(String json) {
        return ModelConfig.parse(JsonMapper.builder().build().readTree(json));
    }

    static final String BASE = "\"vocab_size\": 10, \"hidden_size\": 8, \"intermediate_size\": 16, "
            + "\"num_hidden_layers\": 1, \"num_attention_heads\": 2";

    @Test
    void readsTheOlderRopeScalingStyle() {
        ModelConfig c =
                parse("{\"model_type\": \"llama\", " + BASE + ", \"num_key_value_heads\": 1, \"rope_theta\": 500000.0,"
                        + " \"torch_dtype\": \"bfloat16\", \"eos_token_id\": [128001, 128009], \"rope_scaling\": {\"rope_type\":"
                        + " \"llama3\", \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                        + " \"original_max_position_embeddings\": 8192}}");
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new RopeScaling("llama3", 32, 1, 4, 8192), c.ropeScaling());
        assertEquals("bfloat16", c.dtype());
        assertEquals(List.of(128001, 128009), c.eosTokenIds());
        assertEquals(4, c.headDim());
        assertEquals(2, c.groupSize());
    }

    @Test
    void readsTheNewerRopeParametersStyle() {
        ModelConfig c = parse("{\"model_type\": \"qwen2\", " + BASE + ", \"dtype\": \"float16\", \"head_dim\": 6,"
                + " \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 1000000.0}}");
        assertEquals(1_000_000.0, c.ropeTheta());
        assertTrue(c.ropeScaling().isDefault());
        assertEquals("float16", c.dtype());
        assertEquals(6, c.headDim());
        assertTrue(c.qkvBias());
        assertFalse(c.oBias());
        assertEquals(2, c.numKeyValueHeads());
    }

    @Test
    void rejectsUnsupportedArchitecturesAndRopeTypes() {
        assertThatThrownBy(() -> parse("{\"model_type\": \"gpt2\", " + BASE + "}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unsupported model_type 'gpt2'");
        assertThatThrownBy(() ->
                        parse("{\"model_type\": \"llama\", " + BASE + ", \"rope_scaling\": {\"type\": \"yarn\"}}"))
                .hasMessageContaining("unsupported rope scaling type 'yarn'");
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", \"vocab_size\": 3}"))
                .hasMessageContaining("lacks hidden_size");
    }

    @Test
    void missingOrMisshapedTensorsAreNamed(@TempDir Path dir) throws Exception {
        TinyModel.write(dir, "llama", null, false, 1);
        SafetensorsWriter.write(
                dir.resolve("model.safetensors"),
                Map.of("model.embed_tokens.weight", WritableTensor.f32(new long[] {2, 2}, new float[4])),
                Map.of());
        assertThatThrownBy(() -> LlamaLoader.load(dir, Device.cpu(), DataType.FLOAT32))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.embed_tokens.weight has shape [2, 2] but the config needs [512, 32]");
        Files.delete(dir.resolve("model.safetensors"));
        SafetensorsWriter.write(
                dir.resolve("model.safetensors"),
                Map.of("model.embed_tokens.weight", WritableTensor.f32(new long[] {512, 32}, new float[512 * 32])),
                Map.of());
        assertThatThrownBy(() -> LlamaLoader.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("tensor model.layers.0.input_layernorm.weight is missing");
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> LlamaLoader.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("missing file")
                .hasMessageContaining("config.json");
    }
}
