package io.selfinstruct.rouge;

/**
 * The fast path of {@link LcsPattern}: a candidate of at most 64 tokens, its position masks kept in an array indexed
 * directly by token id, so each step of a scan is one array load and four word operations, no hashing. The array
 * grows to the largest id seen, so it is allocated once per thread and reused: {@link #load} fills in the
 * candidate's tokens and {@link #close} zeroes them again. Ids of the scanned text beyond the array (tokens the
 * candidate does not have) and negative ids match nothing.
 *
 * <p>Thread-confined. A thread that loads a second candidate before closing the first (a nested call) gets a fresh
 * instance instead of the cached one.
 */
final class TokenMasks implements AutoCloseable {

    static final int MAX_LENGTH = 64;
    /** Ids up to here get a slot; a candidate with a larger id takes the hashed pattern (8 MiB of masks at most). */
    static final int ID_LIMIT = 1 << 20;

    private static final ThreadLocal<TokenMasks> CACHED = ThreadLocal.withInitial(TokenMasks::new);

    private long[] masks = new long[1024];
    private int[] loaded;
    private long lengthMask;
    private boolean busy;

    /**
     * Prepares a candidate, or returns null when it does not fit (more than 64 tokens, or an id from
     * {@link #ID_LIMIT} on). Negative (unknown) ids match nothing.
     */
    static TokenMasks load(int[] candidate) {
        if (candidate.length > MAX_LENGTH) {
            return null;
        }
        TokenMasks cached = CACHED.get();
        TokenMasks masks = cached.busy ? new TokenMasks() : cached;
        return masks.fill(candidate) ? masks : null;
    }

    /**
     * LCS of one pair in a single call, for a candidate that would {@link #load}: no wrapper object, the thread's
     * masks filled, scanned and cleared. Returns -1 when the candidate does not fit.
     */
    static int lcsOnce(int[] candidate, int[] text) {
        if (candidate.length > MAX_LENGTH) {
            return -1;
        }
        TokenMasks cached = CACHED.get();
        TokenMasks masks = cached.busy ? new TokenMasks() : cached;
        if (!masks.fill(candidate)) {
            return -1;
        }
        int lcs = masks.lcs(text);
        masks.close();
        return lcs;
    }

    private boolean fill(int[] candidate) {
        for (int i = 0; i < candidate.length; i++) {
            int token = candidate[i];
            if (token >= masks.length) {
                if (token >= ID_LIMIT) {
                    clear(candidate, i);
                    return false;
                }
                long[] grown = new long[Math.max(token + 1, masks.length * 2)];
                System.arraycopy(masks, 0, grown, 0, masks.length);
                masks = grown;
            }
            if (token >= 0) {
                masks[token] |= 1L << i;
            }
        }
        loaded = candidate;
        lengthMask = candidate.length == 64 ? -1L : (1L << candidate.length) - 1;
        busy = true;
        return true;
    }

    /** LCS length between the loaded candidate and {@code text}. */
    int lcs(int[] text) {
        long[] m = masks;
        int size = m.length;
        long v = -1L;
        for (int token : text) {
            long u = Integer.compareUnsigned(token, size) < 0 ? v & m[token] : 0L;
            v = (v + u) | (v - u);
        }
        return Long.bitCount(~v & lengthMask);
    }

    @Override
    public void close() {
        clear(loaded, loaded.length);
        loaded = null;
        busy = false;
    }

    private void clear(int[] candidate, int length) {
        for (int i = 0; i < length; i++) {
            if (candidate[i] >= 0) {
                masks[candidate[i]] = 0;
            }
        }
    }
}
