package io.selfinstruct.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Hugging Face {@code config.json} of a Llama-family decoder, read in one place. Field names follow the file
 * so that this can be held next to transformers' configuration classes. Both config styles are read:
 * {@code rope_theta}/{@code rope_scaling}/{@code torch_dtype} and {@code rope_parameters}/{@code dtype}.
 *
 * @param qkvBias q/k/v projections have a bias (qwen2 always; llama with {@code attention_bias})
 * @param oBias o_proj has a bias (llama with {@code attention_bias})
 * @param slidingWindow keys further back than this are masked (mistral; qwen2 with {@code use_sliding_window}),
 *     or null
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean mlpBias,
        Integer slidingWindow,
        String dtype,
        Integer bosTokenId,
        List<Integer> eosTokenIds) {

    public static final Set<String> SUPPORTED_TYPES = Set.of("llama", "mistral", "qwen2");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static ModelConfig read(Path modelDirectory) {
        Path file = modelDirectory.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing file " + file);
        }
        try {
            return parse(JSON.readTree(Files.readString(file)));
        } catch (IOException | tools.jackson.core.JacksonException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig parse(JsonNode c) {
        String type = c.path("model_type").asString("");
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new ModelLoadException("unsupported model_type '" + type + "'; supported: llama, mistral, qwen2");
        }
        String act = c.path("hidden_act").asString("silu");
        if (!act.equals("silu")) {
            throw new ModelLoadException("unsupported hidden_act '" + act + "'; Llama-family models use silu");
        }
        int hidden = required(c, "hidden_size");
        int heads = required(c, "num_attention_heads");
        int kvHeads = c.path("num_key_value_heads").isNumber()
                ? c.get("num_key_value_heads").asInt()
                : heads;
        int headDim = c.path("head_dim").isNumber() ? c.get("head_dim").asInt() : hidden / heads;
        if (heads % kvHeads != 0) {
            throw new ModelLoadException(
                    "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        JsonNode ropeParameters = c.path("rope_parameters");
        double theta = ropeParameters.isObject() && ropeParameters.has("rope_theta")
                ? ropeParameters.get("rope_theta").asDouble()
                : c.path("rope_theta").asDouble(10000.0);
        RopeScaling scaling = ropeScaling(ropeParameters.isObject() ? ropeParameters : c.path("rope_scaling"));
        boolean attentionBias = c.path("attention_bias").asBoolean(false);
        boolean qwen2 = type.equals("qwen2");
        Integer window = null;
        boolean windowed =
                type.equals("mistral") || (qwen2 && c.path("use_sliding_window").asBoolean(false));
        if (windowed && c.path("sliding_window").isNumber()) {
            window = c.get("sliding_window").asInt();
        }
        String dtype = c.path("dtype").isString()
                ? c.get("dtype").asString()
                : c.path("torch_dtype").asString("float32");
        return new ModelConfig(
                type,
                required(c, "vocab_size"),
                hidden,
                required(c, "intermediate_size"),
                required(c, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                c.path("rms_norm_eps").asDouble(1e-6),
                theta,
                scaling,
                c.path("max_position_embeddings").asInt(2048),
                c.path("tie_word_embeddings").asBoolean(false),
                qwen2 || attentionBias,
                !qwen2 && attentionBias,
                c.path("mlp_bias").asBoolean(false),
                window,
                dtype,
                c.path("bos_token_id").isNumber() ? c.get("bos_token_id").asInt() : null,
                ids(c.path("eos_token_id")));
    }

    private static RopeScaling ropeScaling(JsonNode node) {
        if (node == null || !node.isObject()) {
            return RopeScaling.NONE;
        }
        String type = node.has("rope_type")
                ? node.get("rope_type").asString()
                : node.path("type").asString("default");
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling("linear", node.path("factor").asDouble(1.0), 0, 0, 0);
            case "llama3" ->
                new RopeScaling(
                        "llama3",
                        node.path("factor").asDouble(8.0),
                        node.path("low_freq_factor").asDouble(1.0),
                        node.path("high_freq_factor").asDouble(4.0),
                        node.path("original_max_position_embeddings").asInt(8192));
            default ->
                throw new ModelLoadException(
                        "unsupported rope scaling type '" + type + "'; supported: default, linear, llama3");
        };
    }

    static List<Integer> ids(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node.isNumber()) {
            ids.add(node.asInt());
        } else if (node.isArray()) {
            node.values().forEach(n -> ids.add(n.asInt()));
        }
        return List.copyOf(ids);
    }

    private static int required(JsonNode c, String field) {
        if (!c.path(field).isNumber()) {
            throw new ModelLoadException("config.json lacks " + field);
        }
        return c.get(field).asInt();
    }

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }
}
