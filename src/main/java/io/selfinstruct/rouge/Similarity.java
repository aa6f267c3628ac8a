package io.selfinstruct.rouge;

import java.util.List;

/**
 * How similar one candidate is to a whole pool, computed without pruning.
 *
 * @param max the largest ROUGE-L F-measure against any pool item (0 for an empty pool)
 * @param mean the mean F-measure over every pool item, summed as numpy's {@code np.mean} sums (pairwise, in pool
 *     order), so it equals self-instruct's {@code avg_similarity_score} bit for bit; NaN for an empty pool, as numpy
 * @param mostSimilar the top-K pool items by F-measure, highest first, ties by lower id
 */
public record Similarity(double max, double mean, List<Neighbor> mostSimilar) {

    /** One pool item and its F-measure against the candidate. */
    public record Neighbor(int id, String text, double fmeasure) {}
}
