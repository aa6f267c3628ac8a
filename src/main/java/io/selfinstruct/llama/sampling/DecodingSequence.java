package io.selfinstruct.llama.sampling;

import io.selfinstruct.llama.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One sequence being decoded among others ({@link BatchDecoder}): its context, its own KV cache, its sampler, and
 * once it stops its {@link Generation}, by exactly the rules of {@link Generator} (eos, stop strings, length).
 */
public final class DecodingSequence implements AutoCloseable {

    private final GenerationOptions options;
    private final Sampler sampler;
    private final Function<long[], String> decoder;
    private final LongConsumer onToken;
    private final List<Long> generated = new ArrayList<>();
    private long[] context;
    private KvCache cache;
    private Generation result;
    private TokenLogprobs lastLogprobs;

    /**
     * @param decoder token ids to text (special tokens skipped), for stop strings and the result
     * @param onToken told each new token as it is chosen
     */
    public DecodingSequence(
            long[] prompt, GenerationOptions options, Function<long[], String> decoder, LongConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        this.context = prompt.clone();
        this.options = options;
        this.sampler = new Sampler(options);
        this.decoder = decoder;
        this.onToken = onToken;
    }

    public boolean finished() {
        return result != null;
    }

    /** The generation once {@link #finished()}, else null. */
    public Generation result() {
        return result;
    }

    /** The latest token's log probabilities, when the options ask for them (else null); set before onToken hears it. */
    public TokenLogprobs lastLogprobs() {
        return lastLogprobs;
    }

    KvCache cache() {
        return cache;
    }

    void startCache(int layers) {
        cache = new KvCache(layers);
    }

    /** Forgets the cache (its model was unloaded): the next step feeds the whole context again. */
    public void dropCache() {
        if (cache != null) {
            try {
                cache.close();
            } catch (RuntimeException e) {
                // the arrays went with their model
            }
            cache = null;
        }
    }

    long[] context() {
        return context;
    }

    long lastToken() {
        return context[context.length - 1];
    }

    /** Chooses the next token from the model's logits for it, and stops when a rule says so. */
    void accept(float[] logits) {
        float[] scores = sampler.process(logits, context);
        long token = sampler.choose(scores);
        if (options.topLogprobs() != null) {
            lastLogprobs = TokenLogprobs.of(logits, token, options.topLogprobs());
        }
        generated.add(token);
        context = Arrays.copyOf(context, context.length + 1);
        context[context.length - 1] = token;
        onToken.accept(token);
        Generation.FinishReason reason = null;
        if (options.eosTokenIds().contains(token)) {
            reason = Generation.FinishReason.EOS;
        } else if (!options.stopStrings().isEmpty()
                && options.stopStrings().stream().anyMatch(decoder.apply(ids())::contains)) {
            reason = Generation.FinishReason.STOP_STRING;
        } else if (generated.size() >= options.maxNewTokens()) {
            reason = Generation.FinishReason.LENGTH;
        }
        if (reason != null) {
            result = Generator.result(ids(), decoder, reason, List.of(), List.of(), options);
            dropCache();
        }
    }

    private long[] ids() {
        return generated.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void close() {
        dropCache();
    }
}
