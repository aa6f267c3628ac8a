package io.selfinstruct.llama.sampling;

import java.util.List;
import java.util.Set;
import lombok.Builder;

/**
 * How to generate. Logits are processed as transformers' generate() does, in its order: sequence bias,
 * repetition penalty, bad words; then temperature 0 is greedy, otherwise temperature, top-k and top-p are applied
 * and a token is sampled. Generation stops at an eos token, a stop string, or {@code maxNewTokens}.
 *
 * @param topK 0 for no top-k filter
 * @param topP 1 for no nucleus filter
 * @param repetitionPenalty 1 for none (CTRL's rule: positive logits divided, negative multiplied)
 * @param presencePenalty OpenAI's {@code presence_penalty}: subtracted once from the logit of every token generated
 *     so far (the prompt does not count, as in OpenAI's and vLLM's rule); 0 for none
 * @param frequencyPenalty OpenAI's {@code frequency_penalty}: subtracted from a token's logit once per time it was
 *     generated so far; 0 for none
 * @param sequenceBias transformers' {@code sequence_bias} (see {@link SequenceBias})
 * @param badWords transformers' {@code bad_words_ids}: the last token of each sequence is banned where the context
 *     ends with the tokens before it (always, for one token); as in transformers, an entry that is one eos
 *     token alone is ignored
 * @param seed sampling seed, or null for a random one
 * @param useCache run with a KV cache (the result is the same; without it every step reruns the whole sequence)
 * @param recordLogits keep every step's raw logits and processed scores (tests, debugging)
 * @param topLogprobs null for no log probabilities; else each step's {@link TokenLogprobs} with this many of the
 *     most likely tokens (0 for the chosen token's alone)
 */
@Builder(toBuilder = true)
public record GenerationOptions(
        int maxNewTokens,
        double temperature,
        double topP,
        int topK,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        List<String> stopStrings,
        List<SequenceBias> sequenceBias,
        List<long[]> badWords,
        Set<Long> eosTokenIds,
        Long seed,
        boolean useCache,
        boolean recordLogits,
        Integer topLogprobs) {

    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1");
        }
        if (temperature < 0 || topP <= 0 || topP > 1 || topK < 0 || repetitionPenalty <= 0) {
            throw new IllegalArgumentException("temperature >= 0, 0 < topP <= 1, topK >= 0, repetitionPenalty > 0");
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        sequenceBias = sequenceBias == null ? List.of() : List.copyOf(sequenceBias);
        badWords = badWords == null ? List.of() : List.copyOf(badWords);
        badWords.forEach(SequenceBiasProcessor::check);
        badWords = badWords.stream().map(long[]::clone).toList();
        if (topLogprobs != null && topLogprobs < 0) {
            throw new IllegalArgumentException("topLogprobs must be at least 0");
        }
        eosTokenIds = eosTokenIds == null ? Set.of() : Set.copyOf(eosTokenIds);
    }

    /** Greedy decoding of at most {@code maxNewTokens}, stopping at any of {@code eosTokenIds}. */
    public static GenerationOptions greedy(int maxNewTokens, Set<Long> eosTokenIds) {
        return builder(maxNewTokens).eosTokenIds(eosTokenIds).build();
    }

    /** Options by name: greedy, no filters or penalties, KV cache on, unless set otherwise. */
    public static GenerationOptionsBuilder builder(int maxNewTokens) {
        return new GenerationOptionsBuilder()
                .maxNewTokens(maxNewTokens)
                .topP(1)
                .repetitionPenalty(1)
                .useCache(true);
    }

    public GenerationOptions withCache(boolean on) {
        return toBuilder().useCache(on).build();
    }

    public GenerationOptions recordingLogits() {
        return toBuilder().recordLogits(true).build();
    }
}
