package io.selfinstruct.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a Hugging Face checkpoint onto {@link LlamaModel}: one table of tensor names and shapes, checked before
 * anything is loaded, so a missing or misshaped tensor fails with its name. Norm weights always load as
 * float32; other weights as {@code weightType} (float32 on the CPU, float16 on a GPU to halve memory).
 */
public final class LlamaLoader {

    private LlamaLoader() {}

    public static LlamaModel load(Path modelDirectory, Device device, DataType weightType) {
        ModelConfig config = ModelConfig.read(modelDirectory);
        try (Checkpoint checkpoint = Checkpoint.open(modelDirectory)) {
            return load(config, checkpoint, device, weightType);
        }
    }

    public static LlamaModel load(ModelConfig config, Checkpoint checkpoint, Device device, DataType weightType) {
        Map<String, long[]> table = tensorTable(config, checkpoint.contains("lm_head.weight"));
        for (Map.Entry<String, long[]> entry : table.entrySet()) {
            if (!checkpoint.contains(entry.getKey())) {
                throw new ModelLoadException("tensor " + entry.getKey() + " is missing from the checkpoint");
            }
            TensorInfo info = checkpoint.info(entry.getKey());
            if (!Arrays.equals(info.shape(), entry.getValue())) {
                throw new ModelLoadException("tensor " + entry.getKey() + " has shape " + info.shapeText()
                        + " but the config needs " + Arrays.toString(entry.getValue()));
            }
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (String name : table.keySet()) {
                DataType type = name.endsWith("norm.weight") ? DataType.FLOAT32 : weightType;
                w.put(name, checkpoint.load(name, manager, type));
            }
            List<DecoderLayer> layers = new ArrayList<>();
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                String p = "model.layers." + i + ".";
                Map<String, LinearLayer> projections = new LinkedHashMap<>();
                for (String name : DecoderLayer.ATTENTION) {
                    projections.put(
                            name,
                            new FrozenLinear(
                                    w.get(p + "self_attn." + name + ".weight"),
                                    w.get(p + "self_attn." + name + ".bias")));
                }
                for (String name : DecoderLayer.MLP) {
                    projections.put(
                            name,
                            new FrozenLinear(w.get(p + "mlp." + name + ".weight"), w.get(p + "mlp." + name + ".bias")));
                }
                layers.add(new DecoderLayer(
                        config,
                        w.get(p + "input_layernorm.weight"),
                        w.get(p + "post_attention_layernorm.weight"),
                        projections));
            }
            NDArray embed = w.get("model.embed_tokens.weight");
            NDArray head = w.getOrDefault("lm_head.weight", embed);
            return new LlamaModel(
                    config, manager, embed, layers, w.get("model.norm.weight"), new FrozenLinear(head, null));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Every tensor the architecture needs, with its shape (torch layout). A tied model may still ship
     * {@code lm_head.weight}; it is used when present, as transformers does before tying.
     */
    public static Map<String, long[]> tensorTable(ModelConfig c, boolean hasLmHead) {
        long hidden = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {c.vocabSize(), hidden});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            t.put(p + "input_layernorm.weight", new long[] {hidden});
            t.put(p + "self_attn.q_proj.weight", new long[] {q, hidden});
            t.put(p + "self_attn.k_proj.weight", new long[] {kv, hidden});
            t.put(p + "self_attn.v_proj.weight", new long[] {kv, hidden});
            t.put(p + "self_attn.o_proj.weight", new long[] {hidden, q});
            if (c.qkvBias()) {
                t.put(p + "self_attn.q_proj.bias", new long[] {q});
                t.put(p + "self_attn.k_proj.bias", new long[] {kv});
                t.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            if (c.oBias()) {
                t.put(p + "self_attn.o_proj.bias", new long[] {hidden});
            }
            t.put(p + "post_attention_layernorm.weight", new long[] {hidden});
            t.put(p + "mlp.gate_proj.weight", new long[] {inter, hidden});
            t.put(p + "mlp.up_proj.weight", new long[] {inter, hidden});
            t.put(p + "mlp.down_proj.weight", new long[] {hidden, inter});
            if (c.mlpBias()) {
                t.put(p + "mlp.gate_proj.bias", new long[] {inter});
                t.put(p + "mlp.up_proj.bias", new long[] {inter});
                t.put(p + "mlp.down_proj.bias", new long[] {hidden});
            }
        }
        t.put("model.norm.weight", new long[] {hidden});
        if (!c.tieWordEmbeddings() || hasLmHead) {
            t.put("lm_head.weight", new long[] {c.vocabSize(), hidden});
        }
        return t;
    }
}
