package io.selfinstruct.finetune;

import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.ModelConfig;
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
 * A tiny random Llama written in the Hugging Face layout (config.json, model.safetensors, and the golden tiny
 * model's 512-token BPE tokenizer), for fine-tuning tests.
 */
public final class TinyLlama {

    private TinyLlama() {}

    public static Path write(Path dir, long seed) {
        return write(dir, seed, 32, 64, 2);
    }

    public static Path write(Path dir, long seed, int hidden, int intermediate, int layers) {
        return write(dir, seed, 512, hidden, intermediate, layers, 4, 2, false);
    }

    public static Path write(
            Path dir,
            long seed,
            int vocab,
            int hidden,
            int intermediate,
            int layers,
            int heads,
            int kvHeads,
            boolean tied) {
        String config = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d, "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "hidden_act": "silu", "max_position_embeddings": 1024,
                 "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": %s, "bos_token_id": 1,
                 "eos_token_id": 2, "torch_dtype": "float32"}
                """.formatted(vocab, hidden, intermediate, layers, heads, kvHeads, tied);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config);
            for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                try (InputStream in = TinyLlama.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelConfig parsed = ModelConfig.read(dir);
        Random random = new Random(seed);
        Map<String, WritableTensor> tensors = new LinkedHashMap<>();
        LlamaLoader.tensorTable(parsed, false).forEach((name, shape) -> {
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            float[] values = new float[n];
            boolean norm = name.endsWith("norm.weight");
            double scale = norm ? 0.1 : name.contains("embed") ? 0.5 : 1 / Math.sqrt(shape[shape.length - 1]);
            for (int i = 0; i < n; i++) {
                values[i] = (float) ((norm ? 1 : 0) + scale * random.nextGaussian());
            }
            tensors.put(name, WritableTensor.f32(shape, values));
        });
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    public static Path alpacaFile() {
        try {
            return Path.of(
                    TinyLlama.class.getResource("/finetune/alpaca_small.json").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
