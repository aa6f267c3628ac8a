package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LlamaForCausalLM (and the same shape for mistral and qwen2) as DJL tensor operations: embeddings, decoder
 * layers, final RMSNorm, lm_head. {@link #forward} reads like {@code LlamaModel.forward} in transformers.
 * The model owns the {@link NDManager} that holds its weights.
 */
public final class LlamaModel implements AutoCloseable {

    private static final float MASKED = -Float.MAX_VALUE; // torch.finfo(float32).min, as transformers masks

    private final ModelConfig config;
    private final NDManager manager;
    private final RotaryEmbedding rotary;
    private NDArray embedTokens;
    /** The dtype of the hidden states: the loaded embeddings' (a trained float32 copy swapped in keeps it). */
    private final DataType hiddenType;

    private final List<DecoderLayer> layers;
    private final NDArray norm;
    private LinearLayer lmHead;

    LlamaModel(
            ModelConfig config,
            NDManager manager,
            NDArray embedTokens,
            List<DecoderLayer> layers,
            NDArray norm,
            LinearLayer lmHead) {
        this.config = config;
        this.manager = manager;
        this.rotary = new RotaryEmbedding(config);
        this.embedTokens = embedTokens;
        this.hiddenType = embedTokens.getDataType();
        this.layers = List.copyOf(layers);
        this.norm = norm;
        this.lmHead = lmHead;
    }

    /**
     * Logits (batch, seq, vocab) in float32.
     *
     * @param inputIds (batch, seq) int64
     * @param attentionMask (batch, past + seq): 0 for padding, else the number (1, 2, ...) of the example a token
     *     belongs to, or null for all ones. Several examples packed into one row attend only within themselves
     *     and their positions restart at 0 (LLaMA-Factory's neat-packing mask); all ones is an ordinary row.
     * @param cache keys/values of earlier positions, extended in place; null to run without one
     * @param hiddenStates when not null, receives transformers' {@code hidden_states}: the input of each layer,
     *     then the final normed output
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache, List<NDArray> hiddenStates) {
        long batch = inputIds.getShape().get(0);
        long seq = inputIds.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDArray mask = attentionMask != null
                ? attentionMask
                : inputIds.getManager().ones(new Shape(batch, past + seq), DataType.INT64);

        NDArray distance = distance(inputIds.getManager(), past, seq);
        NDArray sameExample = sameExample(mask, distance, past, seq); // (batch, 1, seq, past + seq)
        // a position counts the earlier tokens of its own example: left padding does not shift it (as generate()
        // computes positions) and each packed example starts again at 0
        NDArray positions = sameExample
                .toType(DataType.INT64, false)
                .sum(new int[] {3})
                .sub(1)
                .maximum(0)
                .reshape(new Shape(batch, seq));
        NDList cosSin = rotary.cosSin(positions); // each (batch, 1, seq, head_dim)
        NDArray additiveMask = additiveMask(sameExample, distance); // (batch, 1, seq, past + seq)

        NDArray hidden = Precision.cast(
                Embedding.embedding(inputIds, embedTokens, SparseFormat.DENSE).singletonOrThrow(), hiddenType);
        for (int i = 0; i < layers.size(); i++) {
            if (hiddenStates != null) {
                hiddenStates.add(hidden);
            }
            hidden = layers.get(i).forward(hidden, cosSin.get(0), cosSin.get(1), additiveMask, cache, i);
        }
        hidden = DecoderLayer.rmsNorm(hidden, norm, config.rmsNormEps());
        if (hiddenStates != null) {
            hiddenStates.add(hidden);
        }
        return Precision.fp32(lmHead.forward(hidden));
    }

    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        return forward(inputIds, attentionMask, null, null);
    }

    /** Query position minus key position, (1, 1, seq, past + seq): causal where it is not negative. */
    private static NDArray distance(NDManager m, long past, long seq) {
        long keys = past + seq;
        NDArray keyPos = m.arange(0, keys, 1, DataType.INT64).reshape(new Shape(1, 1, 1, keys));
        NDArray queryPos = m.arange(past, keys, 1, DataType.INT64).reshape(new Shape(1, 1, seq, 1));
        return queryPos.sub(keyPos);
    }

    /** True where query i may see key j by causality and example: j <= i, j not padding, j in i's example. */
    private static NDArray sameExample(NDArray mask, NDArray distance, long past, long seq) {
        long batch = mask.getShape().get(0);
        NDArray example = mask.toType(DataType.INT64, false);
        NDArray keyExample = example.reshape(new Shape(batch, 1, 1, past + seq));
        NDArray queryExample = example.get(":, " + past + ":").reshape(new Shape(batch, 1, seq, 1));
        return distance.gte(0).logicalAnd(keyExample.gt(0)).logicalAnd(keyExample.eq(queryExample));
    }

    /** 0 where a query may attend (its example, causal, inside any sliding window), float32 min elsewhere. */
    private NDArray additiveMask(NDArray sameExample, NDArray distance) {
        NDArray allowed = config.slidingWindow() == null
                ? sameExample
                : sameExample.logicalAnd(distance.lt(config.slidingWindow()));
        return allowed.logicalNot().toType(DataType.FLOAT32, false).mul(MASKED);
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public float[] ropeInvFreq() {
        return rotary.invFreq();
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    public NDArray embedTokens() {
        return embedTokens;
    }

    public LinearLayer lmHead() {
        return lmHead;
    }

    /**
     * Every projection by its transformers module path ({@code model.layers.0.self_attn.q_proj}, ...,
     * {@code lm_head}), in layer order: the names PEFT's {@code target_modules} match against.
     */
    public Map<String, LinearLayer> linearLayers() {
        Map<String, LinearLayer> all = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, LinearLayer> p : layers.get(i).projections().entrySet()) {
                all.put(DecoderLayer.modulePath(i, p.getKey()), p.getValue());
            }
        }
        all.put("lm_head", lmHead);
        return Collections.unmodifiableMap(all);
    }

    /** Swaps the input embeddings (vocab, hidden), e.g. for a trained copy (PEFT's modules_to_save). */
    public void replaceEmbedTokens(NDArray weight) {
        if (!weight.getShape().equals(embedTokens.getShape())) {
            throw new IllegalArgumentException(
                    "embeddings of shape " + weight.getShape() + " do not fit " + embedTokens.getShape());
        }
        embedTokens = weight;
    }

    /** Swaps the projection at a module path (see {@link #linearLayers()}), e.g. for a LoRA wrapper. */
    public void replaceLinear(String modulePath, LinearLayer layer) {
        if (modulePath.equals("lm_head")) {
            lmHead = layer;
            return;
        }
        String[] parts = modulePath.split("\\.");
        if (parts.length != 5 || !parts[0].equals("model") || !parts[1].equals("layers")) {
            throw new IllegalArgumentException("not a projection path: " + modulePath);
        }
        layers.get(Integer.parseInt(parts[2])).replace(parts[4], layer);
    }

    @Override
    public void close() {
        manager.close();
    }
}
