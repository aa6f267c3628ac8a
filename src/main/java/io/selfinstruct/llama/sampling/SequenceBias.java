package io.selfinstruct.llama.sampling;

/**
 * One entry of transformers' {@code sequence_bias}: {@code bias} is added to the logit of the sequence's last
 * token whenever the context (prompt and generated tokens) ends with the tokens before it; a one-token sequence
 * gets its bias at every step. The bias is a float, as transformers keeps it.
 */
public record SequenceBias(long[] tokenIds, float bias) {

    public SequenceBias {
        SequenceBiasProcessor.check(tokenIds);
        if (Float.isNaN(bias)) {
            throw new IllegalArgumentException("a sequence bias must be a number");
        }
        tokenIds = tokenIds.clone();
    }

    /**
     * Sequence suppression: the last token's probability times {@code factor} (before renormalisation) where the
     * sequence is about to complete, which is a bias of {@code log(factor)} on its logit.
     */
    public static SequenceBias suppression(long[] tokenIds, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("a suppression factor must be positive and finite");
        }
        return new SequenceBias(tokenIds, (float) Math.log(factor));
    }
}
