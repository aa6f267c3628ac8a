package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PEFT LoRA adapter directory ({@code adapter_config.json} + {@code adapter_model.safetensors}) and the wiring
 * of its A/B matrices into a model as {@link LoraLinear} wrappers. PEFT's tensor names are
 * {@code base_model.model.<module path>.lora_A.weight} (A: (r, in)) and {@code ...lora_B.weight} (B: (out, r)).
 */
public final class PeftAdapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";

    private PeftAdapter() {}

    public static LoraConfig readConfig(Path adapterDirectory) {
        Path file = adapterDirectory.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing file " + file);
        }
        try {
            return LoraConfig.parse(JsonMapper.builder().build().readTree(Files.readString(file)));
        } catch (IOException | tools.jackson.core.JacksonException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Wraps every targeted projection of {@code model} with the adapter's weights (float32, in the model's
     * manager). Returns the LoRA layers by module path.
     */
    public static Map<String, LoraLinear> apply(Path adapterDirectory, LlamaModel model) {
        LoraConfig config = readConfig(adapterDirectory);
        Map<String, LoraLinear> applied = new LinkedHashMap<>();
        try (Checkpoint weights = Checkpoint.of(adapterDirectory.resolve(WEIGHTS_FILE))) {
            Set<String> unused = new TreeSet<>(weights.names());
            for (Map.Entry<String, LinearLayer> entry : model.linearLayers().entrySet()) {
                String path = entry.getKey();
                if (!config.targets(path)) {
                    continue;
                }
                String a = PREFIX + path + ".lora_A.weight";
                String b = PREFIX + path + ".lora_B.weight";
                FrozenLinear base = entry.getValue().base();
                checkShape(weights, a, new long[] {config.r(), base.inFeatures()});
                checkShape(weights, b, new long[] {base.outFeatures(), config.r()});
                LoraLinear lora = new LoraLinear(
                        base,
                        weights.load(a, model.manager(), DataType.FLOAT32),
                        weights.load(b, model.manager(), DataType.FLOAT32),
                        config.scaling(),
                        (float) config.loraDropout());
                model.replaceLinear(path, lora);
                applied.put(path, lora);
                unused.remove(a);
                unused.remove(b);
            }
            if (applied.isEmpty()) {
                throw new ModelLoadException("adapter target_modules match no module of the model");
            }
            if (!unused.isEmpty()) {
                throw new ModelLoadException("adapter tensors match no targeted module: " + unused);
            }
        }
        return applied;
    }

    /**
     * Writes the adapter as PEFT's save_pretrained does (A and B in float32), tensors in name order as the
     * safetensors library writes them.
     */
    public static void save(Path adapterDirectory, LoraConfig config, Map<String, LoraLinear> layers) {
        Map<String, WritableTensor> tensors = new java.util.TreeMap<>();
        layers.forEach((path, lora) -> {
            tensors.put(PREFIX + path + ".lora_A.weight", WritableTensor.of(lora.loraA()));
            tensors.put(PREFIX + path + ".lora_B.weight", WritableTensor.of(lora.loraB()));
        });
        try {
            Files.createDirectories(adapterDirectory);
            Files.writeString(adapterDirectory.resolve(CONFIG_FILE), config.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + adapterDirectory, e);
        }
        SafetensorsWriter.write(adapterDirectory.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    }

    /** The merged weights {@code W + B A * scaling} by transformers weight name, as merge_and_unload leaves them. */
    public static Map<String, NDArray> mergedWeights(Map<String, LoraLinear> layers) {
        Map<String, NDArray> merged = new LinkedHashMap<>();
        layers.forEach((path, lora) -> merged.put(path + ".weight", lora.mergedWeight()));
        return merged;
    }

    private static void checkShape(Checkpoint weights, String name, long[] shape) {
        if (!weights.contains(name)) {
            throw new ModelLoadException("adapter tensor " + name + " is missing");
        }
        if (!java.util.Arrays.equals(weights.info(name).shape(), shape)) {
            throw new ModelLoadException("adapter tensor " + name + " has shape "
                    + weights.info(name).shapeText() + " but the model needs " + java.util.Arrays.toString(shape));
        }
    }
}
