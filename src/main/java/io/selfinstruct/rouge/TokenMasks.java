package io.selfinstruct.rouge;

/**
 * The fast path of {@link LcsPattern} for the index: a candidate of at most 64 tokens, its position masks kept in an
 * array indexed directly by vocabulary id, so each step of the scan is one array load and four word operations, no
 * hashing. The array is as long as the vocabulary, so it is allocated once per thread and reused: {@link #load} fills
 * in the candidate's tokens and {@link #close} zeroes them again.
 *
 * <p>Thread-confined. A thread that loads a second candidate before closing the first (a nested call) gets a fresh
 * instance instead of the cached one.
 */
final class TokenMasks implements AutoCloseable {

    static final int MAX_LENGTH = 64;

    private static final ThreadLocal<TokenMasks> CACHED = ThreadLocal.withInitial(TokenMasks::new);

    private long[] masks = new long[0];
    private int[] loaded;
    private long lengthMask;
    private boolean busy;

    /**
     * Prepares {@code query} (at most 64 tokens) for scanning texts whose token ids are all below
     * {@code vocabularySize}; unknown (negative) ids in the query match nothing.
     */
    static TokenMasks load(int[] query, int vocabularySize) {
        TokenMasks cached = CACHED.get();
        TokenMasks masks = cached.busy ? new TokenMasks() : cached;
        masks.fill(query, vocabularySize);
        return masks;
    }

    private void fill(int[] query, int vocabularySize) {
        if (query.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a single-word pattern holds at most 64 tokens, got " + query.length);
        }
        if (masks.length < vocabularySize) {
            masks = new long[Math.max(vocabularySize, masks.length + (masks.length >> 1))];
        }
        for (int i = 0; i < query.length; i++) {
            if (query[i] >= 0) {
                masks[query[i]] |= 1L << i;
            }
        }
        loaded = query;
        lengthMask = query.length == 64 ? -1L : (1L << query.length) - 1;
        busy = true;
    }

    /** LCS length between the loaded query and {@code text}. */
    int lcs(int[] text) {
        long[] m = masks;
        long v = -1L;
        for (int token : text) {
            long u = v & m[token];
            v = (v + u) | (v - u);
        }
        return Long.bitCount(~v & lengthMask);
    }

    @Override
    public void close() {
        for (int token : loaded) {
            if (token >= 0) {
                masks[token] = 0;
            }
        }
        loaded = null;
        busy = false;
    }
}
