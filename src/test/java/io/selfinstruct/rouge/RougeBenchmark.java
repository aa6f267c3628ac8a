package io.selfinstruct.rouge;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * ROUGE-L speed on the 50,000-instruction {@link InstructionCorpus}: LCS pairs per second on one thread (so per
 * core) for the bit-parallel LCS and rouge_score's DP table, and the wall time of the full greedy dedup at 0.7 on
 * all cores. Command and numbers: BENCHMARKS.md, section "ROUGE-L (issue 3)".
 */
@Tag("benchmark")
@State(Scope.Benchmark)
@Fork(0) // exec:java runs JMH inside Maven, whose class path a forked VM would not get
public class RougeBenchmark {

    static final int CORPUS = 50_000;
    static final int CANDIDATES = 64;
    static final int POOL_ITEMS = 64;
    static final int PAIRS = CANDIDATES * POOL_ITEMS;

    List<String> corpus;
    int[][] candidates;
    int[][] poolItems;

    @Setup(Level.Trial)
    public void setUp() {
        corpus = InstructionCorpus.generate(CORPUS, 42);
        RougeIndex vocabulary = new RougeIndex(RougeTokenizer.DEFAULT);
        SplittableRandom random = new SplittableRandom(7);
        candidates = new int[CANDIDATES][];
        poolItems = new int[POOL_ITEMS][];
        for (int i = 0; i < CANDIDATES; i++) {
            candidates[i] = vocabulary.encodeAdding(corpus.get(random.nextInt(CORPUS)));
        }
        for (int i = 0; i < POOL_ITEMS; i++) {
            poolItems[i] = vocabulary.encodeAdding(corpus.get(random.nextInt(CORPUS)));
        }
    }

    /** rouge_score's algorithm in Java: the full (m+1) x (n+1) table for every pair. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsTable(Blackhole sink) {
        for (int[] candidate : candidates) {
            for (int[] item : poolItems) {
                sink.consume(Lcs.table(candidate, item));
            }
        }
    }

    /** What the index does: each candidate prepared once, then scanned against the pool items. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsBitParallelIndexScan(Blackhole sink) {
        for (int[] candidate : candidates) {
            try (CandidateLcs lcs = new CandidateLcs(candidate)) {
                for (int[] item : poolItems) {
                    sink.consume(lcs.lcs(item));
                }
            }
        }
    }

    /** A lone pair: the shorter side's masks are filled in and cleared again for every pair. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsBitParallelSinglePair(Blackhole sink) {
        for (int[] candidate : candidates) {
            for (int[] item : poolItems) {
                sink.consume(Lcs.bitParallel(candidate, item));
            }
        }
    }

    /** The whole 50k corpus through greedy dedup at 0.7, default tokenizer, all cores. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public int greedyDedup50k() {
        return GreedyDedup.keep(corpus, 0.7, RougeTokenizer.DEFAULT).size();
    }
}
