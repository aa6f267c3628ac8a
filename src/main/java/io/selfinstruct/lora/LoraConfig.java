package io.selfinstruct.lora;

import io.selfinstruct.llama.ModelLoadException;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The parts of PEFT's {@code adapter_config.json} (LoraConfig) this runtime acts on. {@code targetModules} is a
 * list of module names matched against the end of a module path, or one regular expression matched against the
 * whole path, as PEFT does; the string {@code "all-linear"} is PEFT's shorthand for every linear layer but the
 * output layer. {@code modulesToSave} are modules trained in full beside the adapter ({@code lm_head},
 * {@code embed_tokens}), PEFT's ModulesToSaveWrapper.
 */
public record LoraConfig(
        int r,
        double loraAlpha,
        double loraDropout,
        List<String> targetModules,
        String targetRegex,
        boolean useRslora,
        String baseModelNameOrPath,
        List<String> modulesToSave) {

    /** PEFT's INCLUDE_LINEAR_LAYERS_SHORTHAND. */
    public static final String ALL_LINEAR = "all-linear";

    /** The modules a run can train in full: the model's only non-linear-projection weights worth it. */
    public static final List<String> SAVABLE_MODULES = List.of("lm_head", "embed_tokens");

    public LoraConfig {
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
    }

    public static LoraConfig of(int r, double alpha, double dropout, List<String> targetModules) {
        return new LoraConfig(r, alpha, dropout, targetModules, null, false, null, List.of());
    }

    public static LoraConfig parse(JsonNode node) {
        String type = node.path("peft_type").asString("LORA");
        if (!type.equals("LORA")) {
            throw new ModelLoadException("adapter peft_type " + type + " is not supported; only LORA");
        }
        if (node.path("use_dora").asBoolean(false)) {
            throw new ModelLoadException("DoRA adapters (use_dora) are not supported");
        }
        for (String field : List.of("rank_pattern", "alpha_pattern")) {
            if (node.path(field).isObject() && !node.path(field).isEmpty()) {
                throw new ModelLoadException("adapter " + field + " is not supported");
            }
        }
        if (!node.path("r").isNumber()) {
            throw new ModelLoadException("adapter_config.json lacks r");
        }
        JsonNode targets = node.path("target_modules");
        List<String> modules = targets.isArray()
                ? targets.values().stream().map(JsonNode::asString).toList()
                : List.of();
        String regex = targets.isString() ? targets.asString() : null;
        if (modules.isEmpty() && regex == null) {
            throw new ModelLoadException("adapter_config.json lacks target_modules");
        }
        List<String> saved = node.path("modules_to_save").isArray()
                ? node.get("modules_to_save").values().stream()
                        .map(JsonNode::asString)
                        .toList()
                : List.of();
        for (String module : saved) {
            if (!SAVABLE_MODULES.contains(module)) {
                throw new ModelLoadException(
                        "adapter modules_to_save " + module + " is not supported; only " + SAVABLE_MODULES);
            }
        }
        return new LoraConfig(
                node.get("r").asInt(),
                node.path("lora_alpha").asDouble(8),
                node.path("lora_dropout").asDouble(0),
                modules,
                regex,
                node.path("use_rslora").asBoolean(false),
                node.path("base_model_name_or_path").isString()
                        ? node.get("base_model_name_or_path").asString()
                        : null,
                saved);
    }

    /** Whether PEFT would wrap the module at this path, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public boolean targets(String modulePath) {
        if (ALL_LINEAR.equalsIgnoreCase(targetRegex)) {
            return !modulePath.equals("lm_head");
        }
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, modulePath);
        }
        return targetModules.stream().anyMatch(t -> modulePath.equals(t) || modulePath.endsWith("." + t));
    }

    public float scaling() {
        return LoraLinear.scaling(loraAlpha, r, useRslora);
    }

    /** adapter_config.json as PEFT writes it, so PEFT, transformers and vLLM load the adapter. */
    public String toJson() {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode node = json.createObjectNode();
        node.putObject("alpha_pattern");
        node.putNull("auto_mapping");
        if (baseModelNameOrPath == null) {
            node.putNull("base_model_name_or_path");
        } else {
            node.put("base_model_name_or_path", baseModelNameOrPath);
        }
        node.put("bias", "none");
        node.put("fan_in_fan_out", false);
        node.put("inference_mode", true);
        node.put("init_lora_weights", true);
        node.putNull("layer_replication");
        node.putNull("layers_pattern");
        node.putNull("layers_to_transform");
        node.putObject("loftq_config");
        if (loraAlpha == Math.rint(loraAlpha)) {
            node.put("lora_alpha", (long) loraAlpha); // PEFT keeps the int it was given
        } else {
            node.put("lora_alpha", loraAlpha);
        }
        node.put("lora_dropout", loraDropout);
        node.putNull("megatron_config");
        node.put("megatron_core", "megatron.core");
        if (modulesToSave.isEmpty()) {
            node.putNull("modules_to_save");
        } else {
            modulesToSave.forEach(node.putArray("modules_to_save")::add);
        }
        node.put("peft_type", "LORA");
        node.put("r", r);
        node.putObject("rank_pattern");
        node.putNull("revision");
        if (targetRegex != null) {
            node.put("target_modules", targetRegex);
        } else {
            targetModules.forEach(node.putArray("target_modules")::add);
        }
        node.put("task_type", "CAUSAL_LM");
        node.put("use_dora", false);
        node.put("use_rslora", useRslora);
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }
}
