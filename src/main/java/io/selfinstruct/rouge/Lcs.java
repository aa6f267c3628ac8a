package io.selfinstruct.rouge;

/**
 * Length of the longest common subsequence of two token-id sequences.
 *
 * <p>{@link #table} is rouge_score's {@code _lcs_table}: the full (m+1) x (n+1) dynamic-programming table. It is
 * kept as the test oracle and the benchmark baseline. {@link #bitParallel} is what the service runs: Hyyrö's
 * bit-vector LCS (see {@link LcsPattern}), 64 table cells per machine-word operation.
 */
public final class Lcs {

    private Lcs() {}

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
     * The bit-parallel LCS. The shorter sequence becomes the candidate side (the bit vector) so that each step needs
     * as few machine words as possible: direct-indexed {@link TokenMasks} when it fits, the hashed multi-word
     * {@link LcsPattern} otherwise.
     */
    public static int bitParallel(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return 0;
        }
        int[] candidate = a.length <= b.length ? a : b;
        int[] text = candidate == a ? b : a;
        int lcs = TokenMasks.lcsOnce(candidate, text);
        return lcs >= 0 ? lcs : LcsPattern.of(candidate).lcs(text);
    }
}
