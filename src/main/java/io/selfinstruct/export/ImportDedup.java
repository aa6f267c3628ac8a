package io.selfinstruct.export;

import io.selfinstruct.rouge.RougeIndex;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.rouge.Similarity;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Greedy ROUGE-L dedup of import records, in file order: a record is kept iff its instruction's F-measure
 * against every pool instruction and every record kept before it is at most the threshold, the rule pool
 * admission applies. For each record left out it names the most similar earlier instruction (highest F, the
 * earliest on ties).
 *
 * <p>The work runs on all cores: a block of records is checked in parallel against the index as it stood before
 * the block, then the survivors, in order, against the records kept within the block; together the two checks
 * see exactly what the sequential loop sees, so the kept set is the sequential one. Naming the most similar
 * instruction needs exact scores, which {@link RougeIndex#similarity} computes against every item: to keep that
 * off the whole pool, the same items are also held in shards of {@value #SHARD} and only shards whose pruned
 * {@link RougeIndex#anyAbove} finds an item above the best score so far are scored (see {@link #nearest}).
 */
final class ImportDedup {

    private static final int BLOCK = 256;
    private static final int SHARD = 1024;

    private final RougeTokenizer tokenizer;
    private final double threshold;
    private final int poolSize;
    private final RougeIndex index;
    private final List<RougeIndex> shards = new ArrayList<>();
    private int size;

    /** A skipped record and the most similar earlier instruction: a pool id below the pool size, else a kept record. */
    private record Nearest(int id, String text, double fmeasure) {}

    ImportDedup(RougeTokenizer tokenizer, double threshold, List<String> pool) {
        this.tokenizer = tokenizer;
        this.threshold = threshold;
        this.index = new RougeIndex(tokenizer);
        pool.forEach(this::add);
        this.poolSize = pool.size();
    }

    /** The records to keep, in order; every other record is added to {@code skipped}. */
    List<AlpacaReader.Entry> keep(List<AlpacaReader.Entry> records, List<ImportReport.Skipped> skipped) {
        List<AlpacaReader.Entry> kept = new ArrayList<>();
        Nearest[] nearestBefore = new Nearest[BLOCK];
        for (int start = 0; start < records.size(); start += BLOCK) {
            int end = Math.min(records.size(), start + BLOCK);
            int blockStart = start;
            IntStream.range(start, end).parallel().forEach(i -> {
                String text = records.get(i).record().instruction();
                nearestBefore[i - blockStart] = index.anyAbove(text, threshold) ? nearest(text) : null;
            });
            RougeIndex block = new RougeIndex(tokenizer);
            List<AlpacaReader.Entry> keptInBlock = new ArrayList<>();
            for (int i = start; i < end; i++) {
                AlpacaReader.Entry entry = records.get(i);
                String text = entry.record().instruction();
                Nearest before = nearestBefore[i - start];
                if (before != null) {
                    skipped.add(skip(
                            entry,
                            before,
                            before.id() < poolSize
                                    ? "ROUGE-L similar to an accepted pool instruction"
                                    : "ROUGE-L similar to record "
                                            + kept.get(before.id() - poolSize).index() + " of this import"));
                } else if (block.anyAbove(text, threshold)) {
                    Similarity.Neighbor inBlock =
                            block.similarity(text, 1).mostSimilar().get(0);
                    skipped.add(skip(
                            entry,
                            new Nearest(inBlock.id(), inBlock.text(), inBlock.fmeasure()),
                            "ROUGE-L similar to record "
                                    + keptInBlock.get(inBlock.id()).index() + " of this import"));
                } else {
                    block.add(text);
                    keptInBlock.add(entry);
                }
            }
            keptInBlock.forEach(entry -> add(entry.record().instruction()));
            kept.addAll(keptInBlock);
        }
        return kept;
    }

    private static ImportReport.Skipped skip(AlpacaReader.Entry entry, Nearest nearest, String reason) {
        return new ImportReport.Skipped(entry.index(), entry.line(), reason, nearest.text(), nearest.fmeasure());
    }

    private void add(String text) {
        index.add(text);
        if (size % SHARD == 0) {
            shards.add(new RougeIndex(tokenizer));
        }
        shards.get(shards.size() - 1).add(text);
        size++;
    }

    /**
     * The highest-scoring item, earliest on ties, of a candidate known to be above the threshold somewhere.
     * Shards are searched oldest first against a rising bar: once an item scores F, a later shard is only
     * scored if its pruned search finds one above F, so ties keep the earliest; and once the whole index has
     * nothing above F, the search stops.
     */
    private Nearest nearest(String text) {
        Nearest best = null;
        double bar = threshold;
        for (int s = 0; s < shards.size() && bar < 1; s++) {
            RougeIndex shard = shards.get(s);
            if (shard.anyAbove(text, bar)) {
                Similarity.Neighbor top =
                        shard.similarity(text, 1).mostSimilar().get(0);
                best = new Nearest(s * SHARD + top.id(), top.text(), top.fmeasure());
                bar = top.fmeasure();
                if (!index.anyAbove(text, bar)) {
                    break; // nothing anywhere beats it: the later shards need no look
                }
            }
        }
        return best;
    }
}
