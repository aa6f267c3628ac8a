package io.selfinstruct.rouge;

import java.util.Arrays;

/**
 * One token sequence prepared for bit-parallel LCS against many others (Allison-Dix / Hyyrö 2004): for every
 * distinct token, a bit mask of the positions where it occurs. Scanning the other sequence keeps a bit vector V of
 * the pattern's length (initially all ones); for each token with mask M, {@code U = V & M; V = (V + U) | (V - U)}.
 * At the end the LCS length is the number of zero bits in V. Patterns longer than 64 tokens use several words and
 * carry the addition from word to word.
 *
 * <p>Immutable after construction, so one pattern may be used from many threads at once. Negative token ids in the
 * pattern (tokens the pool has never seen) match nothing but still count in {@link #length()}.
 */
final class LcsPattern {

    private static final int EMPTY = -1;

    private final int length;
    private final int words;
    private final long lastWordMask;
    private final int[] keys;
    private final long[] masks;
    private final int slotMask;

    private LcsPattern(int[] tokens) {
        this.length = tokens.length;
        this.words = Math.max(1, (length + 63) >>> 6);
        this.lastWordMask = (length & 63) == 0 ? -1L : (1L << (length & 63)) - 1;
        int capacity = Integer.highestOneBit(Math.max(4, tokens.length) * 2 - 1) << 1;
        this.keys = new int[capacity];
        Arrays.fill(keys, EMPTY);
        this.masks = new long[capacity * words];
        this.slotMask = capacity - 1;
        for (int i = 0; i < tokens.length; i++) {
            int token = tokens[i];
            if (token < 0) {
                continue;
            }
            int slot = hash(token) & slotMask;
            while (keys[slot] != token && keys[slot] != EMPTY) {
                slot = (slot + 1) & slotMask;
            }
            keys[slot] = token;
            masks[slot * words + (i >>> 6)] |= 1L << (i & 63);
        }
    }

    static LcsPattern of(int[] tokens) {
        return new LcsPattern(tokens);
    }

    int length() {
        return length;
    }

    /** LCS length between this pattern and {@code text}. */
    int lcs(int[] text) {
        if (length == 0 || text.length == 0) {
            return 0;
        }
        return words == 1 ? lcsOneWord(text) : lcsMultiWord(text);
    }

    private int lcsOneWord(int[] text) {
        long v = -1L;
        for (int token : text) {
            long u = v & mask(token);
            v = (v + u) | (v - u);
        }
        return Long.bitCount(~v & lastWordMask);
    }

    private int lcsMultiWord(int[] text) {
        long[] v = new long[words];
        Arrays.fill(v, -1L);
        for (int token : text) {
            int slot = slotOf(token);
            if (slot < 0) {
                continue; // a zero mask leaves V unchanged
            }
            int base = slot * words;
            long carry = 0;
            for (int w = 0; w < words; w++) {
                long vw = v[w];
                long u = vw & masks[base + w];
                long sum = vw + u + carry;
                carry = ((vw & u) | ((vw | u) & ~sum)) >>> 63;
                v[w] = sum | (vw - u);
            }
        }
        int zeros = 0;
        for (int w = 0; w < words - 1; w++) {
            zeros += Long.bitCount(~v[w]);
        }
        return zeros + Long.bitCount(~v[words - 1] & lastWordMask);
    }

    private long mask(int token) {
        int slot = slotOf(token);
        return slot < 0 ? 0L : masks[slot];
    }

    private int slotOf(int token) {
        int slot = hash(token) & slotMask;
        while (true) {
            int key = keys[slot];
            if (key == token && token >= 0) {
                return slot;
            }
            if (key == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & slotMask;
        }
    }

    private static int hash(int token) {
        int h = token * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
