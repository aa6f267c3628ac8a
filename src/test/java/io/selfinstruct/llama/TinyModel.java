package io.selfinstruct.llama;

import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes a tiny random model directory in the exact Hugging Face layout (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json) and keeps its weights for a plain-Java reference forward.
 */
public record TinyModel(Path dir, ModelConfig config, Map<String, float[]> weights) {

    public static final int VOCAB = 512;
    public static final int HIDDEN = 32;
    public static final int INTERMEDIATE = 48;
    public static final int LAYERS = 2;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;

    /** @param modelType llama, mistral or qwen2; qwen2 gets q/k/v biases, tied embeddings and rope_theta 1e6 */
    public static TinyModel write(Path dir, String modelType, Integer slidingWindow, boolean bf16, long seed) {
        boolean qwen2 = modelType.equals("qwen2");
        String config = """
                {"architectures": ["X"], "model_type": "%s", "vocab_size": %d, "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "hidden_act": "silu", "max_position_embeddings": 128,
                 "rms_norm_eps": 1e-6, "rope_theta": %s, "tie_word_embeddings": %s, "bos_token_id": 1,
                 "eos_token_id": 2, "sliding_window": %s, "use_sliding_window": %s, "torch_dtype": "%s"}
                """.formatted(
                        modelType,
                        VOCAB,
                        HIDDEN,
                        INTERMEDIATE,
                        LAYERS,
                        HEADS,
                        KV_HEADS,
                        qwen2 ? "1000000.0" : "10000.0",
                        qwen2,
                        slidingWindow == null ? "null" : slidingWindow,
                        slidingWindow != null,
                        bf16 ? "bfloat16" : "float32");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config);
            for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                try (InputStream in = TinyModel.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelConfig parsed = ModelConfig.read(dir);
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, WritableTensor> tensors = new LinkedHashMap<>();
        LlamaLoader.tensorTable(parsed, false).forEach((name, shape) -> {
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            float[] values = new float[n];
            boolean norm = name.endsWith("norm.weight");
            double scale = norm
                    ? 0.1
                    : name.contains("embed")
                            ? 0.5
                            : name.endsWith("bias") ? 0.2 : 1 / Math.sqrt(shape[shape.length - 1]);
            for (int i = 0; i < n; i++) {
                values[i] = (float) ((norm ? 1 : 0) + scale * random.nextGaussian());
            }
            WritableTensor tensor = bf16 ? WritableTensor.bf16(shape, values) : WritableTensor.f32(shape, values);
            if (bf16) {
                for (int i = 0; i < n; i++) {
                    values[i] = Float.intBitsToFloat((tensor.bytes().getShort(2 * i) & 0xffff) << 16);
                }
            }
            weights.put(name, values);
            tensors.put(name, tensor);
        });
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return new TinyModel(dir, parsed, weights);
    }
}
