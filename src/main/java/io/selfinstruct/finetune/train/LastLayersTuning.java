package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import io.selfinstruct.llama.DecoderLayer;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.LlamaModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Full tuning of the last N decoder layers (their projections, biases and both norms), everything below them
 * and the embeddings and head frozen: the "freeze all but the top layers" recipe. Needs float32 weights.
 */
public final class LastLayersTuning {

    private LastLayersTuning() {}

    public static TrainableWeights select(LlamaModel model, int lastLayers) {
        int count = model.layers().size();
        if (lastLayers < 1 || lastLayers > count) {
            throw new IllegalArgumentException("trainableLayers must be between 1 and " + count + " for this model");
        }
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (int i = count - lastLayers; i < count; i++) {
            DecoderLayer layer = model.layers().get(i);
            String prefix = "model.layers." + i + ".";
            weights.put(prefix + "input_layernorm.weight", layer.inputLayernorm());
            for (Map.Entry<String, LinearLayer> p : layer.projections().entrySet()) {
                FrozenLinear linear = p.getValue().base();
                String path = DecoderLayer.modulePath(i, p.getKey());
                weights.put(path + ".weight", linear.weight());
                if (linear.bias() != null) {
                    weights.put(path + ".bias", linear.bias());
                }
            }
            weights.put(prefix + "post_attention_layernorm.weight", layer.postAttentionLayernorm());
        }
        return new TrainableWeights(weights);
    }
}
