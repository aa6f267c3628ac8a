package io.selfinstruct.export;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Export throughput: MB/s of {@code alpaca} and {@code jsonl} exports of a large H2 file pool (see
 * {@link LargePool}), read from the database and encoded, written to a stream that only counts bytes. Runs
 * alternate between the formats so both see the same machine load; prints every run and the medians.
 * Arguments (all optional): database directory (default target/export-bench), instances (1000000), runs (5).
 * A main class rather than a JMH benchmark: one run is seconds of I/O-bound work, not a hot loop.
 */
public final class ExportBenchmark {

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args.length > 0 ? args[0] : "target/export-bench");
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(directory);
        long start = System.nanoTime();
        LargePool pool = new LargePool(directory).fill(instances);
        System.out.printf(
                "pool of %d instances ready in %.1f s; heap limit %d MB%n",
                instances,
                (System.nanoTime() - start) / 1e9,
                Runtime.getRuntime().maxMemory() >> 20);
        Exporter exporter = pool.exporter();

        List<Double> alpaca = new ArrayList<>();
        List<Double> jsonl = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            alpaca.add(measure(exporter, ExportFormat.ALPACA, run));
            jsonl.add(measure(exporter, ExportFormat.JSONL, run));
        }
        System.out.printf(
                "median alpaca %.1f MB/s, jsonl %.1f MB/s over %d runs of %d records%n",
                median(alpaca), median(jsonl), runs, instances);

        // the same records from memory: what the JSON writer alone sustains, to show where the time goes
        List<ExportRecord> records = new ArrayList<>(instances);
        pool.records().forEach(ExportFilter.accepted(), records::add);
        List<Double> writer = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            CountingSink sink = new CountingSink();
            long begin = System.nanoTime();
            try (RecordWriter out = new RecordWriter(ExportFormat.ALPACA, "", sink)) {
                records.forEach(out::write);
            }
            writer.add(sink.bytes / 1e6 / ((System.nanoTime() - begin) / 1e9));
        }
        System.out.printf("median alpaca writer alone (records in memory) %.1f MB/s%n", median(writer));
    }

    private static double measure(Exporter exporter, ExportFormat format, int run) throws Exception {
        CountingSink sink = new CountingSink();
        long start = System.nanoTime();
        exporter.export(new Exporter.Request(format, ExportFilter.accepted(), null, 42, null))
                .body()
                .writeTo(sink);
        double seconds = (System.nanoTime() - start) / 1e9;
        double mbPerSecond = sink.bytes / 1e6 / seconds;
        System.out.printf(
                "run %d %-6s %,d bytes in %.2f s = %.1f MB/s%n",
                run, format.parameter(), sink.bytes, seconds, mbPerSecond);
        return mbPerSecond;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
