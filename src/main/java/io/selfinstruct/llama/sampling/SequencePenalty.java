package io.selfinstruct.llama.sampling;

/**
 * Discourages one token sequence (e.g. an "empty answer" marker): whenever the generated tail equals a prefix of
 * {@code tokenIds}, the probability of the sequence's next token is multiplied by {@code penalty} (below 1
 * suppresses, above 1 encourages), so the whole sequence becomes about {@code penalty^length} as likely.
 */
public record SequencePenalty(long[] tokenIds, double penalty) {

    public SequencePenalty {
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("a suppressed sequence needs at least one token");
        }
        if (!(penalty > 0)) {
            throw new IllegalArgumentException("a sequence penalty must be positive");
        }
    }
}
