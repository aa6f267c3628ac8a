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
    static final int PAIRS = 4096;

    List<String> corpus;
    int[][] targets;
    int[][] predictions;
    LcsPattern[] preparedTargets;

    @Setup(Level.Trial)
    public void setUp() {
        corpus = InstructionCorpus.generate(CORPUS, 42);
        RougeIndex vocabulary = new RougeIndex(RougeTokenizer.DEFAULT);
        SplittableRandom random = new SplittableRandom(7);
        targets = new int[PAIRS][];
        predictions = new int[PAIRS][];
        preparedTargets = new LcsPattern[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            targets[i] = vocabulary.encodeAdding(corpus.get(random.nextInt(CORPUS)));
            predictions[i] = vocabulary.encodeAdding(corpus.get(random.nextInt(CORPUS)));
            preparedTargets[i] = LcsPattern.of(targets[i]);
        }
    }

    /** The plain pair score: pattern built for every pair, as {@link RougeL#score} does. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsBitParallel(Blackhole sink) {
        for (int i = 0; i < PAIRS; i++) {
            sink.consume(Lcs.bitParallel(targets[i], predictions[i]));
        }
    }

    /** The index's case: the candidate's pattern is built once and scanned against many pool items. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsBitParallelPrepared(Blackhole sink) {
        for (int i = 0; i < PAIRS; i++) {
            sink.consume(preparedTargets[i].lcs(predictions[i]));
        }
    }

    /** rouge_score's algorithm in Java: the full (m+1) x (n+1) table. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PAIRS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void lcsTable(Blackhole sink) {
        for (int i = 0; i < PAIRS; i++) {
            sink.consume(Lcs.table(targets[i], predictions[i]));
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
