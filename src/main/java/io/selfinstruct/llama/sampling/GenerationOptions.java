package io.selfinstruct.llama.sampling;

import java.util.List;
import java.util.Set;

/**
 * How to generate: temperature 0 is greedy; otherwise logits are processed as transformers' generate() does
 * (repetition penalty, temperature, top-k, top-p) and sampled. Generation stops at an eos token, a stop string,
 * or {@code maxNewTokens}.
 *
 * @param topK 0 for no top-k filter
 * @param topP 1 for no nucleus filter
 * @param repetitionPenalty 1 for none (CTRL's rule: positive logits divided, negative multiplied)
 * @param seed sampling seed, or null for a random one
 * @param useCache run with a KV cache (the result is the same; without it every step reruns the whole sequence)
 * @param recordLogits keep the raw logits of every step (tests, debugging)
 */
public record GenerationOptions(
        int maxNewTokens,
        double temperature,
        double topP,
        int topK,
        double repetitionPenalty,
        List<String> stopStrings,
        List<SequencePenalty> suppress,
        Set<Long> eosTokenIds,
        Long seed,
        boolean useCache,
        boolean recordLogits) {

    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1");
        }
        if (temperature < 0 || topP <= 0 || topP > 1 || topK < 0 || repetitionPenalty <= 0) {
            throw new IllegalArgumentException("temperature >= 0, 0 < topP <= 1, topK >= 0, repetitionPenalty > 0");
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        suppress = suppress == null ? List.of() : List.copyOf(suppress);
        eosTokenIds = eosTokenIds == null ? Set.of() : Set.copyOf(eosTokenIds);
    }

    /** Greedy decoding of at most {@code maxNewTokens}, stopping at any of {@code eosTokenIds}. */
    public static GenerationOptions greedy(int maxNewTokens, Set<Long> eosTokenIds) {
        return builder(maxNewTokens).eosTokenIds(eosTokenIds).build();
    }

    /** Options by name: greedy, no filters or penalties, KV cache on, unless set otherwise. */
    public static Builder builder(int maxNewTokens) {
        return new Builder(maxNewTokens);
    }

    public GenerationOptions withCache(boolean on) {
        return toBuilder().useCache(on).build();
    }

    public GenerationOptions recordingLogits() {
        return toBuilder().recordLogits(true).build();
    }

    private Builder toBuilder() {
        return builder(maxNewTokens)
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .repetitionPenalty(repetitionPenalty)
                .stopStrings(stopStrings)
                .suppress(suppress)
                .eosTokenIds(eosTokenIds)
                .seed(seed)
                .useCache(useCache)
                .recordLogits(recordLogits);
    }

    public static final class Builder {
        private final int maxNewTokens;
        private double temperature;
        private double topP = 1;
        private int topK;
        private double repetitionPenalty = 1;
        private List<String> stopStrings = List.of();
        private List<SequencePenalty> suppress = List.of();
        private Set<Long> eosTokenIds = Set.of();
        private Long seed;
        private boolean useCache = true;
        private boolean recordLogits;

        private Builder(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
        }

        public Builder temperature(double value) {
            temperature = value;
            return this;
        }

        public Builder topP(double value) {
            topP = value;
            return this;
        }

        public Builder topK(int value) {
            topK = value;
            return this;
        }

        public Builder repetitionPenalty(double value) {
            repetitionPenalty = value;
            return this;
        }

        public Builder stopStrings(List<String> value) {
            stopStrings = value;
            return this;
        }

        public Builder suppress(List<SequencePenalty> value) {
            suppress = value;
            return this;
        }

        public Builder eosTokenIds(Set<Long> value) {
            eosTokenIds = value;
            return this;
        }

        /** Null for a random seed. */
        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder useCache(boolean value) {
            useCache = value;
            return this;
        }

        public Builder recordLogits(boolean value) {
            recordLogits = value;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(
                    maxNewTokens,
                    temperature,
                    topP,
                    topK,
                    repetitionPenalty,
                    stopStrings,
                    suppress,
                    eosTokenIds,
                    seed,
                    useCache,
                    recordLogits);
        }
    }
}
