package io.selfinstruct.llama.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.KvCache;
import io.selfinstruct.llama.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Autoregressive decoding of one prompt. With the cache, the prompt runs once and each later step feeds only
 * the newest token; every step runs in its own {@link NDScope} so nothing but the cache outlives it.
 */
public final class Generator {

    private final LlamaModel model;
    private final Function<long[], String> decoder;

    /** @param decoder token ids to text (special tokens skipped), for stop strings and the result */
    public Generator(LlamaModel model, Function<long[], String> decoder) {
        this.model = model;
        this.decoder = decoder;
    }

    public Generation generate(long[] prompt, GenerationOptions options) {
        return generate(prompt, options, token -> {});
    }

    /** As {@link #generate(long[], GenerationOptions)}, telling {@code onToken} each new token as it is chosen. */
    public Generation generate(long[] prompt, GenerationOptions options, java.util.function.LongConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        Sampler sampler = new Sampler(options);
        List<Long> generated = new ArrayList<>();
        List<float[]> stepLogits = new ArrayList<>();
        List<float[]> stepScores = new ArrayList<>();
        long[] context = prompt.clone();
        NDManager manager = model.manager();
        try (KvCache cache = options.useCache() ? new KvCache(model.config().numHiddenLayers()) : null) {
            long[] feed = prompt;
            while (generated.size() < options.maxNewTokens()) {
                float[] logits;
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    NDArray ids = manager.create(feed, new Shape(1, feed.length));
                    NDArray all = model.forward(ids, null, cache, null);
                    logits = all.get("0, -1").toFloatArray();
                }
                float[] scores = sampler.process(logits, context);
                if (options.recordLogits()) {
                    stepLogits.add(logits);
                    stepScores.add(scores);
                }
                long token = sampler.choose(scores);
                generated.add(token);
                onToken.accept(token);
                context = Arrays.copyOf(context, context.length + 1);
                context[context.length - 1] = token;
                feed = options.useCache() ? new long[] {token} : context;

                if (options.eosTokenIds().contains(token)) {
                    return finish(generated, Generation.FinishReason.EOS, stepLogits, stepScores, options);
                }
                if (!options.stopStrings().isEmpty()) {
                    String text = decoder.apply(toArray(generated));
                    if (options.stopStrings().stream().anyMatch(text::contains)) {
                        return finish(generated, Generation.FinishReason.STOP_STRING, stepLogits, stepScores, options);
                    }
                }
            }
        }
        return finish(generated, Generation.FinishReason.LENGTH, stepLogits, stepScores, options);
    }

    private Generation finish(
            List<Long> generated,
            Generation.FinishReason reason,
            List<float[]> stepLogits,
            List<float[]> stepScores,
            GenerationOptions options) {
        return result(toArray(generated), decoder, reason, stepLogits, stepScores, options);
    }

    /** The generation of these ids: their text, cut before the first stop string when that is why it stopped. */
    static Generation result(
            long[] ids,
            Function<long[], String> decoder,
            Generation.FinishReason reason,
            List<float[]> stepLogits,
            List<float[]> stepScores,
            GenerationOptions options) {
        String text = decoder.apply(ids);
        if (reason == Generation.FinishReason.STOP_STRING) {
            int cut = text.length();
            for (String stop : options.stopStrings()) {
                int at = text.indexOf(stop);
                if (at >= 0) {
                    cut = Math.min(cut, at);
                }
            }
            text = text.substring(0, cut);
        }
        return new Generation(ids, text, reason, List.copyOf(stepLogits), List.copyOf(stepScores));
    }

    private static long[] toArray(List<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
