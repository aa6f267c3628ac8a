package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One LlamaDecoderLayer: pre-norm self-attention with grouped-query heads and rotary positions, then a
 * pre-norm SwiGLU MLP, each added back to the residual stream. Projections are held by their transformers
 * names so a LoRA wrapper can be swapped in by name.
 */
public final class DecoderLayer {

    public static final String[] ATTENTION = {"q_proj", "k_proj", "v_proj", "o_proj"};
    public static final String[] MLP = {"gate_proj", "up_proj", "down_proj"};

    private final ModelConfig config;
    private final NDArray inputLayernorm;
    private final NDArray postAttentionLayernorm;
    private final Map<String, LinearLayer> projections = new LinkedHashMap<>();

    DecoderLayer(
            ModelConfig config,
            NDArray inputLayernorm,
            NDArray postAttentionLayernorm,
            Map<String, LinearLayer> projections) {
        this.config = config;
        this.inputLayernorm = inputLayernorm;
        this.postAttentionLayernorm = postAttentionLayernorm;
        this.projections.putAll(projections);
    }

    /** hidden (batch, seq, hidden) to (batch, seq, hidden). */
    NDArray forward(NDArray hidden, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int layerIndex) {
        NDArray residual = hidden;
        NDArray h = rmsNorm(hidden, inputLayernorm, config.rmsNormEps());
        h = selfAttention(h, cos, sin, mask, cache, layerIndex);
        h = residual.add(h);

        residual = h;
        h = rmsNorm(h, postAttentionLayernorm, config.rmsNormEps());
        h = mlp(h);
        return residual.add(h);
    }

    private NDArray selfAttention(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int layerIndex) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();

        NDArray q = split(projection("q_proj").forward(x), batch, seq, heads, headDim); // (batch, heads, seq, head_dim)
        NDArray k = split(
                projection("k_proj").forward(x), batch, seq, kvHeads, headDim); // (batch, kv_heads, seq, head_dim)
        NDArray v = split(projection("v_proj").forward(x), batch, seq, kvHeads, headDim);

        q = RotaryEmbedding.apply(q, Precision.cast(cos, q.getDataType()), Precision.cast(sin, q.getDataType()));
        k = RotaryEmbedding.apply(k, Precision.cast(cos, k.getDataType()), Precision.cast(sin, k.getDataType()));
        if (cache != null) {
            NDList kv = cache.append(layerIndex, k, v); // (batch, kv_heads, past + seq, head_dim)
            k = kv.get(0);
            v = kv.get(1);
        }
        k = repeatKv(k, config.groupSize()); // (batch, heads, keys, head_dim)
        v = repeatKv(v, config.groupSize());

        // eager attention as modeling_llama.py: scores and softmax in float32, seq x keys materialised
        NDArray scores = Precision.fp32(q.matMul(k.transpose(0, 1, 3, 2))).mul(1.0 / Math.sqrt(headDim));
        NDArray weights = scores.add(mask).softmax(3); // (batch, heads, seq, keys)
        NDArray out = Precision.cast(weights, v.getDataType()).matMul(v); // (batch, heads, seq, head_dim)
        out = out.transpose(0, 2, 1, 3).reshape(new Shape(batch, seq, (long) heads * headDim));
        return projection("o_proj").forward(out);
    }

    /** SwiGLU: down(silu(gate(x)) * up(x)), silu built as x * sigmoid(x) (the engine has no fused silu). */
    private NDArray mlp(NDArray x) {
        NDArray gate = projection("gate_proj").forward(x);
        NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid());
        return projection("down_proj")
                .forward(activated.mul(projection("up_proj").forward(x)));
    }

    /** LlamaRMSNorm: normalise in float32, cast back, then scale by the weight. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray x32 = Precision.fp32(x);
        NDArray variance = x32.square().mean(new int[] {x32.getShape().dimension() - 1}, true);
        NDArray normed = x32.div(variance.add(eps).sqrt());
        return Precision.cast(normed.mul(weight), x.getDataType());
    }

    private static NDArray split(NDArray projected, long batch, long seq, int heads, int headDim) {
        return projected.reshape(new Shape(batch, seq, heads, headDim)).transpose(0, 2, 1, 3);
    }

    /** (batch, kv_heads, keys, d) to (batch, kv_heads * group, keys, d), each kv head repeated for its group. */
    private static NDArray repeatKv(NDArray kv, int group) {
        if (group == 1) {
            return kv;
        }
        Shape s = kv.getShape();
        NDArray expanded = kv.expandDims(2).broadcast(new Shape(s.get(0), s.get(1), group, s.get(2), s.get(3)));
        return expanded.reshape(new Shape(s.get(0), s.get(1) * group, s.get(2), s.get(3)));
    }

    public LinearLayer projection(String name) {
        LinearLayer layer = projections.get(name);
        if (layer == null) {
            throw new IllegalArgumentException("no projection " + name + " in a decoder layer");
        }
        return layer;
    }

    public void replace(String name, LinearLayer layer) {
        projection(name);
        projections.put(name, layer);
    }

    public Map<String, LinearLayer> projections() {
        return Collections.unmodifiableMap(projections);
    }

    public NDArray inputLayernorm() {
        return inputLayernorm;
    }

    public NDArray postAttentionLayernorm() {
        return postAttentionLayernorm;
    }

    /** The transformers module path of a projection, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public static String modulePath(int layer, String projection) {
        String block = List.of(MLP).contains(projection) ? "mlp" : "self_attn";
        return "model.layers." + layer + "." + block + "." + projection;
    }

    static NDArray concatKeys(NDArray past, NDArray current) {
        return NDArrays.concat(new NDList(past, current), 2);
    }
}
