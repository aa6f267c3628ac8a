package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.safetensors.SafetensorsDtype;
import io.selfinstruct.llama.safetensors.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PEFT LoRA adapter directory ({@code adapter_config.json} + {@code adapter_model.safetensors}) and the wiring
 * of its A/B matrices into a model as {@link LoraLinear} wrappers. PEFT's tensor names are
 * {@code base_model.model.<module path>.lora_A.weight} (A: (r, in)) and {@code ...lora_B.weight} (B: (out, r)),
 * and {@code base_model.model.<module path>.weight} for a module trained in full ({@link ModulesToSave}).
 */
public final class PeftAdapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    static final String PREFIX = "base_model.model.";

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
            for (String module : config.modulesToSave()) {
                String name = ModulesToSave.adapterName(module);
                NDArray current =
                        module.equals("lm_head") ? model.lmHead().base().weight() : model.embedTokens();
                checkShape(weights, name, current.getShape().getShape());
                ModulesToSave.install(model, module, weights.load(name, model.manager(), DataType.FLOAT32));
                unused.remove(name);
            }
            if (!unused.isEmpty()) {
                throw new ModelLoadException("adapter tensors match no targeted module: " + unused);
            }
        }
        return applied;
    }

    /**
     * Writes the adapter as PEFT's save_pretrained does (A, B and the modules trained in full in float32), tensors
     * in name order as the safetensors library writes them, streamed so that a trained embedding of any size
     * passes through a small buffer.
     *
     * @param savedModules the trained copies by module name ({@code lm_head}), see {@link ModulesToSave}
     */
    public static void save(
            Path adapterDirectory,
            LoraConfig config,
            Map<String, LoraLinear> layers,
            Map<String, NDArray> savedModules) {
        Map<String, NDArray> tensors = new TreeMap<>();
        layers.forEach((path, lora) -> {
            tensors.put(PREFIX + path + ".lora_A.weight", lora.loraA());
            tensors.put(PREFIX + path + ".lora_B.weight", lora.loraB());
        });
        savedModules.forEach((module, weight) -> tensors.put(ModulesToSave.adapterName(module), weight));
        try {
            Files.createDirectories(adapterDirectory);
            Files.writeString(adapterDirectory.resolve(CONFIG_FILE), config.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + adapterDirectory, e);
        }
        List<TensorSpec> specs = tensors.entrySet().stream()
                .map(e -> new TensorSpec(
                        e.getKey(),
                        SafetensorsDtype.F32,
                        e.getValue().getShape().getShape()))
                .toList();
        CheckpointWriter.writeFile(
                adapterDirectory.resolve(WEIGHTS_FILE),
                specs,
                (tensor, out) -> CheckpointWriter.writeArray(tensors.get(tensor.name()), tensor.dtype(), out));
    }

    /**
     * The name an adapter gives its base model ({@code base_model_name_or_path}), which AutoPeftModelForCausalLM
     * and llama.cpp's converter look up: config.json's {@code _name_or_path} when it is a name (a hub id such as
     * {@code meta-llama/Llama-3.1-8B}), else the model directory's name, never the server's path.
     */
    public static String baseModelName(Path baseModel) {
        Path config = baseModel.resolve("config.json");
        try {
            if (Files.isRegularFile(config)) {
                String name = JsonMapper.builder()
                        .build()
                        .readTree(Files.readString(config))
                        .path("_name_or_path")
                        .asString("")
                        .strip();
                if (!name.isEmpty()
                        && !name.startsWith(".")
                        && !name.startsWith("~")
                        && !Path.of(name).isAbsolute()) {
                    return name;
                }
            }
        } catch (IOException | tools.jackson.core.JacksonException | java.nio.file.InvalidPathException e) {
            // an unreadable config says nothing about the name: the directory still does
        }
        return baseModel.toAbsolutePath().normalize().getFileName().toString();
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
