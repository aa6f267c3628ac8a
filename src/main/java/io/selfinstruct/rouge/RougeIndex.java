package io.selfinstruct.rouge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * The pool as admission sees it: every item tokenized once into int ids of a shared {@link Vocabulary}, an inverted
 * index from token to the items that hold it (with counts), and the two questions admission asks.
 *
 * <ul>
 *   <li>{@link #anyAbove(String, double)}: is the ROUGE-L F of the candidate against any item above the threshold?
 *       Pruned, and the pruning never changes the answer (see {@link PruningBound}): only items whose length is in
 *       the window the length bound allows are looked at, and only items that share one of the candidate's rarest
 *       tokens (an item that shares none of them has a token overlap, an upper bound of the LCS, below the
 *       minimum); for the rest the overlap computed from the postings is checked again before the bit-parallel LCS
 *       runs.</li>
 *   <li>{@link #similarity(String, int)}: the exact max, mean and top-K, every item scored.</li>
 * </ul>
 *
 * <p>Argument order: self-instruct calls {@code scorer.score(candidate, pool_item)}, so the candidate is rouge_score's
 * target and each pool item the prediction. Only the F-measure is returned here, and F is symmetric bit for bit
 * (2*P*R and P+R do not depend on the order), so the order cannot change a score.
 *
 * <p>Thread-safety: any number of threads may query while one thread adds; queries share a read lock, {@link #add}
 * takes the write lock for the append only (tokenizing happens outside it). Ids are dense, from 0, in add order.
 */
public final class RougeIndex {

    private static final int PARALLEL_MIN_PAIRS = 2048;
    private static final int CHUNK = 1024;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final RougeTokenizer tokenizer;
    private final Vocabulary vocabulary = new Vocabulary();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private int[][] items = new int[256][];
    private int[] lengths = new int[256];
    private String[] texts = new String[256];
    private Postings[] postings = new Postings[1024];
    private int size;
    private int longest;

    public RougeIndex(RougeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public RougeTokenizer tokenizer() {
        return tokenizer;
    }

    /** Adds an item to the pool and returns its id (0, 1, 2, ... in add order). */
    public int add(String text) {
        return add(text, encodeAdding(text));
    }

    int add(String text, int[] tokens) {
        lock.writeLock().lock();
        try {
            int id = size;
            if (id == items.length) {
                items = Arrays.copyOf(items, id * 2);
                lengths = Arrays.copyOf(lengths, id * 2);
                texts = Arrays.copyOf(texts, id * 2);
            }
            items[id] = tokens;
            lengths[id] = tokens.length;
            texts[id] = text;
            int[] distinct = tokens.clone();
            Arrays.sort(distinct);
            for (int i = 0; i < distinct.length; ) {
                int j = i;
                while (j < distinct.length && distinct[j] == distinct[i]) {
                    j++;
                }
                postingsFor(distinct[i]).append(id, j - i);
                i = j;
            }
            longest = Math.max(longest, tokens.length);
            size = id + 1;
            return id;
        } finally {
            lock.writeLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    public String text(int id) {
        lock.readLock().lock();
        try {
            if (id < 0 || id >= size) {
                throw new IndexOutOfBoundsException("no pool item " + id + " (size " + size + ")");
            }
            return texts[id];
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether the candidate's ROUGE-L F-measure against any pool item is above the threshold (0..1). */
    public boolean anyAbove(String candidate, double threshold) {
        return anyAbove(encode(candidate), new PruningBound(threshold), 0, true);
    }

    /**
     * The exact similarity of the candidate to the whole pool: every item is scored (in parallel), nothing pruned.
     *
     * @param topK how many of the most similar items to return (self-instruct keeps 10)
     */
    public Similarity similarity(String candidate, int topK) {
        int[] query = encode(candidate);
        lock.readLock().lock();
        try {
            int n = size;
            double[] scores = new double[n];
            if (query.length > 0) {
                IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(chunk -> {
                    try (CandidateLcs lcs = new CandidateLcs(query)) {
                        for (int id = chunk * CHUNK; id < Math.min(n, (chunk + 1) * CHUNK); id++) {
                            scores[id] = RougeScore.fmeasure(lcs.lcs(items[id]), query.length, items[id].length);
                        }
                    }
                });
            }
            double max = 0;
            for (double score : scores) {
                max = Math.max(max, score);
            }
            return new Similarity(max, PairwiseSum.mean(scores), topK(scores, topK));
        } finally {
            lock.readLock().unlock();
        }
    }

    private List<Similarity.Neighbor> topK(double[] scores, int k) {
        Comparator<Integer> worstFirst =
                Comparator.<Integer>comparingDouble(id -> scores[id]).thenComparing(Comparator.<Integer>reverseOrder());
        PriorityQueue<Integer> best = new PriorityQueue<>(worstFirst);
        for (int id = 0; id < scores.length && k > 0; id++) {
            if (best.size() < k) {
                best.add(id);
            } else if (worstFirst.compare(id, best.peek()) > 0) {
                best.poll();
                best.add(id);
            }
        }
        List<Integer> ids = new ArrayList<>(best);
        ids.sort(worstFirst.reversed());
        return ids.stream()
                .map(id -> new Similarity.Neighbor(id, texts[id], scores[id]))
                .toList();
    }

    int[] encode(String text) {
        return vocabulary.encode(tokenizer.tokenize(text));
    }

    int[] encodeAdding(String text) {
        return vocabulary.encodeAdding(tokenizer.tokenize(text));
    }

    /**
     * The pruned search, over pool ids from {@code fromId} on. {@code parallel} lets a large verification fan out over
     * the common fork-join pool; callers that already run one query per core pass false.
     */
    boolean anyAbove(int[] query, PruningBound bound, int fromId, boolean parallel) {
        int n = query.length;
        if (n == 0) {
            return false; // F is 0 against everything, and thresholds are >= 0
        }
        lock.readLock().lock();
        try {
            int shortest = bound.shortestAllowed(n);
            int longestAllowed = bound.longestAllowed(n, longest);
            if (size <= fromId || shortest > longestAllowed) {
                return false;
            }
            int[] survivors = overlapSurvivors(query, bound, fromId, shortest, longestAllowed);
            if (survivors.length == 0) {
                return false;
            }
            if (!parallel || survivors.length < PARALLEL_MIN_PAIRS) {
                return anyAbove(query, survivors, 0, survivors.length, bound.threshold());
            }
            return IntStream.range(0, (survivors.length + CHUNK - 1) / CHUNK)
                    .parallel()
                    .anyMatch(chunk -> anyAbove(
                            query,
                            survivors,
                            chunk * CHUNK,
                            Math.min(survivors.length, (chunk + 1) * CHUNK),
                            bound.threshold()));
        } finally {
            lock.readLock().unlock();
        }
    }

    private boolean anyAbove(int[] query, int[] ids, int from, int to, double threshold) {
        try (CandidateLcs lcs = new CandidateLcs(query)) {
            for (int i = from; i < to; i++) {
                int[] item = items[ids[i]];
                if (RougeScore.fmeasure(lcs.lcs(item), query.length, item.length) > threshold) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Items in the length window that share one of the candidate's rarest tokens and whose token overlap can still
     * reach the bound. Which tokens to probe: the distinct tokens with the shortest postings, until they cover
     * n - k + 1 of the candidate's n token occurrences, k being the smallest LCS any allowed length needs. An item that
     * shares none of them overlaps the candidate in at most k - 1 tokens (pigeonhole), too few for any length.
     */
    private int[] overlapSurvivors(int[] query, PruningBound bound, int fromId, int shortest, int longestAllowed) {
        int n = query.length;
        int[] distinct = query.clone();
        Arrays.sort(distinct);
        int distinctCount = 0;
        int[] counts = new int[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && distinct[j] == distinct[i]) {
                j++;
            }
            if (distinct[i] >= 0 && distinct[i] < postings.length && postings[distinct[i]] != null) {
                distinct[distinctCount] = distinct[i];
                counts[distinctCount] = j - i;
                distinctCount++;
            }
            i = j;
        }
        long[] order = new long[distinctCount]; // shortest postings first: (postings size, slot) in one long
        for (int i = 0; i < distinctCount; i++) {
            order[i] = ((long) postings[distinct[i]].size << 32) | i;
        }
        Arrays.sort(order);

        Scratch scratch = SCRATCH.get();
        scratch.ensure(size);
        try {
            return accumulate(scratch, distinct, counts, order, n, bound, fromId, shortest, longestAllowed);
        } catch (RuntimeException | Error e) {
            SCRATCH.remove(); // its accumulators may not be zero any more
            throw e;
        }
    }

    private int[] accumulate(
            Scratch scratch,
            int[] distinct,
            int[] counts,
            long[] order,
            int n,
            PruningBound bound,
            int fromId,
            int shortest,
            int longestAllowed) {
        int needed = n - bound.minLcs(shortest, n) + 1;
        int[] overlap = scratch.overlap;
        int touched = 0;
        int covered = 0;
        for (int o = 0; o < order.length && covered < needed; o++) {
            int slot = (int) order[o];
            Postings list = postings[distinct[slot]];
            int count = counts[slot];
            covered += count;
            for (int p = list.firstAtOrAfter(fromId); p < list.size; p++) {
                int id = list.ids[p];
                int m = lengths[id];
                if (m < shortest || m > longestAllowed) {
                    continue;
                }
                if (overlap[id] == 0) {
                    scratch.touched = growIfFull(scratch.touched, touched);
                    scratch.touched[touched++] = id;
                }
                overlap[id] += Math.min(count, list.counts[p]);
            }
        }
        int unprobed = n - covered;
        int[] survivors = new int[touched];
        int kept = 0;
        for (int t = 0; t < touched; t++) {
            int id = scratch.touched[t];
            if (overlap[id] + unprobed >= bound.minLcs(lengths[id], n)) {
                survivors[kept++] = id;
            }
            overlap[id] = 0;
        }
        return Arrays.copyOf(survivors, kept);
    }

    private static int[] growIfFull(int[] array, int used) {
        return used < array.length ? array : Arrays.copyOf(array, array.length * 2);
    }

    private Postings postingsFor(int token) {
        if (token >= postings.length) {
            postings = Arrays.copyOf(postings, Math.max(token + 1, postings.length * 2));
        }
        Postings list = postings[token];
        if (list == null) {
            list = new Postings();
            postings[token] = list;
        }
        return list;
    }

    /** The items holding one token, in increasing id order, with how often each holds it. */
    private static final class Postings {
        int[] ids = new int[4];
        int[] counts = new int[4];
        int size;

        void append(int id, int count) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            ids[size] = id;
            counts[size] = count;
            size++;
        }

        int firstAtOrAfter(int fromId) {
            if (fromId == 0) {
                return 0;
            }
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ids[mid] < fromId) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** Per-thread accumulators for one query, all zero between queries. */
    private static final class Scratch {
        int[] overlap = new int[0];
        int[] touched = new int[256];

        void ensure(int poolSize) {
            if (overlap.length < poolSize) {
                overlap = new int[Math.max(poolSize, overlap.length * 2)];
            }
        }
    }
}
