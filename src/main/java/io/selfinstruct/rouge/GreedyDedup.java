package io.selfinstruct.rouge;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Greedy dedup in list order, what admission does: an item is kept iff its ROUGE-L F-measure against every item kept
 * before it is at most the threshold.
 *
 * <p>The decisions are the sequential ones, but the work runs on all cores: items are taken in blocks, every item of
 * a block is first checked in parallel against the items kept before the block (a frozen index), and then, in order,
 * the survivors are checked against the items kept earlier in the same block. An item rejected in the first pass
 * would be rejected sequentially too (those kept items are all before it), and the second pass completes the set of
 * kept items before it, so the kept set equals the plain sequential loop's.
 */
public final class GreedyDedup {

    private static final int BLOCK = 256;

    private GreedyDedup() {}

    /** Indices of the kept items, ascending. The threshold must be between 0 and 1. */
    public static List<Integer> keep(List<String> texts, double threshold, RougeTokenizer tokenizer) {
        PruningBound bound = new PruningBound(threshold);
        RougeIndex kept = new RougeIndex(tokenizer);
        int[][] tokens = new int[texts.size()][];
        IntStream.range(0, texts.size()).parallel().forEach(i -> tokens[i] = kept.encodeAdding(texts.get(i)));

        List<Integer> keptIndices = new ArrayList<>();
        boolean[] rejected = new boolean[BLOCK];
        for (int start = 0; start < texts.size(); start += BLOCK) {
            int end = Math.min(texts.size(), start + BLOCK);
            int before = kept.size();
            int blockStart = start;
            IntStream.range(start, end)
                    .parallel()
                    .forEach(i -> rejected[i - blockStart] = kept.anyAbove(tokens[i], bound, 0, false));
            for (int i = start; i < end; i++) {
                if (!rejected[i - start] && !kept.anyAbove(tokens[i], bound, before, false)) {
                    kept.add(texts.get(i), tokens[i]);
                    keptIndices.add(i);
                }
            }
        }
        return keptIndices;
    }
}
