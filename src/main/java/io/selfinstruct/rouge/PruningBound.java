package io.selfinstruct.rouge;

/**
 * The exact bound behind every pruning decision: for lengths m and n, the smallest LCS whose ROUGE-L F-measure, as
 * rouge_score computes it in double, could be above the threshold.
 *
 * <p>Mathematically F = 2*lcs/(m+n). The bound keeps a margin of 1e-9 below the threshold: a pair is skipped only
 * when 2*lcs/(m+n) is at most threshold - 1e-9, and the double computation of F is within a few ulps (about 1e-16)
 * of the true value, so a skipped pair's computed F is always at most the threshold. Pairs inside the margin (like
 * lcs 7 at lengths 8 and 12, which computes to 0.7000000000000001) are never skipped; they are scored. Every pruning
 * rule is "some upper bound on the LCS is below {@link #minLcs}": the length bound uses min(m, n), the overlap bound
 * uses the token multiset intersection.
 */
final class PruningBound {

    private static final double MARGIN = 1e-9;

    private final double threshold;
    private final double scaled;

    PruningBound(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be between 0 and 1, got " + threshold);
        }
        this.threshold = threshold;
        this.scaled = (threshold - MARGIN) / 2;
    }

    double threshold() {
        return threshold;
    }

    /** The smallest LCS that could give F above the threshold at lengths m and n (0 when any LCS could). */
    int minLcs(int m, int n) {
        return Math.max(0, (int) Math.floor(scaled * (m + n)) + 1);
    }

    /** Whether a pool item of length m can reach the threshold against a candidate of length n at all. */
    boolean lengthAllows(int m, int n) {
        return Math.min(m, n) >= minLcs(m, n);
    }

    /** The shortest allowed pool length for a candidate of length n (n + 1 when none is). */
    int shortestAllowed(int n) {
        for (int m = 1; m <= n; m++) {
            if (lengthAllows(m, n)) {
                return m;
            }
        }
        return n + 1;
    }

    /** The longest allowed pool length for a candidate of length n, not looking past {@code cap}. */
    int longestAllowed(int n, int cap) {
        int m = n;
        while (m < cap && lengthAllows(m + 1, n)) {
            m++;
        }
        return m;
    }
}
