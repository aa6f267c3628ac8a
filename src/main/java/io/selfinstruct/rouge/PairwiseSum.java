package io.selfinstruct.rouge;

/**
 * numpy's pairwise summation of a float64 array (the reduction behind {@code np.sum} and {@code np.mean}), so that a
 * mean computed here has the same bits as self-instruct's {@code float(np.mean(rouge_scores))}: blocks of at most
 * 128 are summed with eight interleaved accumulators, larger ranges are split in two at a multiple of 8.
 */
final class PairwiseSum {

    private static final int BLOCK = 128;

    private PairwiseSum() {}

    static double mean(double[] values) {
        return sum(values, 0, values.length) / values.length;
    }

    static double sum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sum(a, from, n2) + sum(a, from + n2, n - n2);
    }
}
