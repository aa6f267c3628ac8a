package io.selfinstruct.rouge;

/**
 * Length of the longest common subsequence of two token-id sequences.
 *
 * <p>{@link #table} is rouge_score's {@code _lcs_table}: the full (m+1) x (n+1) dynamic-programming table. It is
 * kept as the test oracle and the benchmark baseline. {@link #bitParallel} is what the service runs: Hyyrö's
 * bit-vector LCS (see {@link LcsPattern}), 64 table cells per machine-word operation.
 */
public final class Lcs {

    static final int DIRECT_ID_LIMIT = 1 << 20;

    private Lcs() {
    }

    /** The plain dynamic-programming table, O(m*n) time and memory, as rouge_score computes it. */
    public static int table(int[] target, int[] prediction) {
        int rows = target.length;
        int cols = prediction.length;
        int[][] table = new int[rows + 1][cols + 1];
        for (int i = 1; i <= rows; i++) {
            for (int j = 1; j <= cols; j++) {
                if (target[i - 1] == prediction[j - 1]) {
                    table[i][j] = table[i - 1][j - 1] + 1;
                } else {
                    table[i][j] = Math.max(table[i - 1][j], table[i][j - 1]);
                }
            }
        }
        return table[rows][cols];
    }

    /**
     * The bit-parallel LCS. The shorter sequence becomes the bit pattern so that the number of machine words per
     * step is as small as possible. A pattern of at most 64 tokens whose ids are all below {@value #DIRECT_ID_LIMIT}
     * (any real vocabulary) uses this thread's direct-indexed {@link TokenMasks}; otherwise the hashed
     * {@link LcsPattern}. Token ids must be non-negative.
     */
    public static int bitParallel(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return 0;
        }
        int[] pattern = a.length <= b.length ? a : b;
        int[] text = pattern == a ? b : a;
        if (pattern.length <= TokenMasks.MAX_LENGTH) {
            int idBound = Math.max(maxId(pattern), maxId(text)) + 1;
            if (idBound <= DIRECT_ID_LIMIT) {
                try (TokenMasks masks = TokenMasks.load(pattern, idBound)) {
                    return masks.lcs(text);
                }
            }
        }
        return LcsPattern.of(pattern).lcs(text);
    }

    private static int maxId(int[] tokens) {
        int max = 0;
        for (int token : tokens) {
            if (token < 0) {
                return Integer.MAX_VALUE - 1; // not a vocabulary id: leave it to the hashed pattern
            }
            max = Math.max(max, token);
        }
        return max;
    }
}
