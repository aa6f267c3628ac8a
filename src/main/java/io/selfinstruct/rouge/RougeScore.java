package io.selfinstruct.rouge;

/**
 * One ROUGE-L score, as rouge_score's {@code Score}: precision against the prediction, recall against the target.
 */
public record RougeScore(double precision, double recall, double fmeasure) {

    public static final RougeScore ZERO = new RougeScore(0, 0, 0);

    /**
     * rouge_score's {@code _score_lcs}: P = lcs/len(prediction), R = lcs/len(target), then F = 2*P*R/(P+R), each step
     * in double and in that order. The algebraically equal 2*lcs/(m+n) rounds differently; at a threshold of 0.7 the
     * difference flips keep/reject decisions (e.g. lcs 7, lengths 8 and 12 gives 0.7000000000000001 here).
     */
    public static RougeScore of(int lcs, int targetLength, int predictionLength) {
        if (targetLength == 0 || predictionLength == 0) {
            return ZERO;
        }
        double precision = (double) lcs / predictionLength;
        double recall = (double) lcs / targetLength;
        return new RougeScore(precision, recall, fmeasure(precision, recall));
    }

    /** The F-measure alone, bit for bit what {@link #of} gives; argument order only matters for P and R. */
    public static double fmeasure(int lcs, int targetLength, int predictionLength) {
        if (targetLength == 0 || predictionLength == 0) {
            return 0.0;
        }
        return fmeasure((double) lcs / predictionLength, (double) lcs / targetLength);
    }

    private static double fmeasure(double precision, double recall) {
        return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    }
}
