package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelLoadException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PEFT's {@code modules_to_save} for this model: {@code lm_head} and {@code embed_tokens} trained in full beside
 * the adapter, each as a float32 copy swapped into the model (ModulesToSaveWrapper's copy; the original stays
 * untouched). PEFT's {@code get_peft_model_state_dict} saves the copy as {@code base_model.model.<module>.weight}
 * (it drops {@code modules_to_save.default}); merged, it is the model's own {@code <module>.weight}.
 */
public final class ModulesToSave {

    private ModulesToSave() {}

    /** transformers' name of the module's weight: {@code lm_head.weight}, {@code model.embed_tokens.weight}. */
    public static String weightName(String module) {
        return switch (module) {
            case "lm_head" -> "lm_head.weight";
            case "embed_tokens" -> "model.embed_tokens.weight";
            default -> throw new IllegalArgumentException("modules_to_save " + module + " is not supported");
        };
    }

    /** The name PEFT saves the trained copy under in {@code adapter_model.safetensors}. */
    public static String adapterName(String module) {
        return PeftAdapter.PREFIX + weightName(module);
    }

    /**
     * Swaps a trainable float32 copy of each module into the model; returns the copies by module name. Tied
     * embeddings are refused: PEFT would train a copy of one side and leave the other on the tied original.
     */
    public static Map<String, NDArray> wrap(LlamaModel model, List<String> modules) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        for (String module : modules) {
            NDArray original = module.equals("lm_head") ? model.lmHead().base().weight() : model.embedTokens();
            NDArray copy = original.toType(DataType.FLOAT32, true);
            install(model, module, copy);
            copies.put(module, copy);
        }
        return copies;
    }

    /** Puts {@code weight} in place of the module's weight. */
    static void install(LlamaModel model, String module, NDArray weight) {
        if (model.lmHead().base().weight() == model.embedTokens()) {
            throw new ModelLoadException("modules_to_save is not supported for a model with tied word embeddings");
        }
        if (module.equals("lm_head")) {
            model.replaceLinear("lm_head", new FrozenLinear(weight, null));
        } else if (module.equals("embed_tokens")) {
            model.replaceEmbedTokens(weight);
        } else {
            throw new ModelLoadException("modules_to_save " + module + " is not supported");
        }
    }

    /** The copies by transformers weight name, as the merged export replaces them. */
    public static Map<String, NDArray> byWeightName(Map<String, NDArray> copies) {
        Map<String, NDArray> named = new LinkedHashMap<>();
        copies.forEach((module, weight) -> named.put(weightName(module), weight));
        return named;
    }
}
