package io.selfinstruct.rouge;

/**
 * One candidate prepared for LCS against many texts, with the fastest algorithm it allows: direct-indexed
 * {@link TokenMasks} up to 64 tokens, the multi-word {@link LcsPattern} beyond. Thread-confined; close it to return
 * the thread's mask array.
 */
final class CandidateLcs implements AutoCloseable {

    private final TokenMasks masks;
    private final LcsPattern pattern;

    CandidateLcs(int[] candidate) {
        this.masks = TokenMasks.load(candidate);
        this.pattern = masks == null ? LcsPattern.of(candidate) : null;
    }

    int lcs(int[] text) {
        return masks != null ? masks.lcs(text) : pattern.lcs(text);
    }

    @Override
    public void close() {
        if (masks != null) {
            masks.close();
        }
    }
}
