package io.selfinstruct.export;

import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.PoolImports;
import io.selfinstruct.rouge.GreedyDedup;
import io.selfinstruct.rouge.RougeTokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Import of a 50,000-record alpaca_data.json with dedup=true into an empty H2 file pool: wall time of the
 * whole call (parse, validate, ROUGE-L greedy dedup, JDBC batch inserts) and how many records were kept.
 * The instructions are the ROUGE benchmark's corpus ({@code io.selfinstruct.rouge.InstructionCorpus}, 50k,
 * seed 42), so the time compares with that 50k dedup target; for scale each run also times a
 * dedup=false import and {@link GreedyDedup} alone on the same texts.
 * Arguments (optional): work directory (default target/import-bench), runs (3).
 */
public final class ImportBenchmark {

    static final int RECORDS = 50_000;

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args.length > 0 ? args[0] : "target/import-bench");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> instructions = corpus();
        byte[] file = alpacaFile(instructions);
        System.out.printf("alpaca file: %d records, %.1f MB%n", RECORDS, file.length / 1e6);

        List<Double> withDedup = new ArrayList<>();
        List<Double> withoutDedup = new ArrayList<>();
        List<Double> dedupAlone = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            withDedup.add(importOnce(directory.resolve("run" + run + "-dedup"), file, true));
            withoutDedup.add(importOnce(directory.resolve("run" + run + "-plain"), file, false));
            long start = System.nanoTime();
            int kept =
                    GreedyDedup.keep(instructions, 0.7, RougeTokenizer.DEFAULT).size();
            double seconds = (System.nanoTime() - start) / 1e9;
            dedupAlone.add(seconds);
            System.out.printf("run %d GreedyDedup.keep alone: kept %d in %.2f s%n", run, kept, seconds);
        }
        System.out.printf(
                "median seconds: import dedup=true %.2f, import dedup=false %.2f, GreedyDedup alone %.2f%n",
                ExportBenchmark.median(withDedup),
                ExportBenchmark.median(withoutDedup),
                ExportBenchmark.median(dedupAlone));
    }

    private static double importOnce(Path directory, byte[] file, boolean dedup) throws Exception {
        deleteRecursively(directory);
        Files.createDirectories(directory);
        LargePool pool = new LargePool(directory);
        // only the admission lock of Admission is used by an import: no repositories needed
        Admission admission =
                new Admission(pool.jdbc, new TransactionTemplate(pool.transactions), null, null, null, null);
        Importer importer = new Importer(
                new PoolImports(pool.dataSource, pool.transactions, 1000), admission, new ImportProperties(null, null));
        long start = System.nanoTime();
        ImportReport report =
                importer.importRecords(new ByteArrayInputStream(file), new Importer.Options(dedup, false, 0.7, "en"));
        double seconds = (System.nanoTime() - start) / 1e9;
        Integer stored = pool.jdbc.queryForObject("SELECT count(*) FROM instance", Integer.class);
        System.out.printf(
                "import dedup=%-5s imported %d (stored %d), skipped %d, invalid %d in %.2f s%n",
                dedup,
                report.imported(),
                stored,
                report.skippedDuplicates().size(),
                report.invalid().size(),
                seconds);
        pool.jdbc.execute("SHUTDOWN");
        return seconds;
    }

    /** The ROUGE benchmark's corpus; package-private over there, so it is called reflectively. */
    @SuppressWarnings("unchecked")
    static List<String> corpus() throws Exception {
        Method generate = Class.forName("io.selfinstruct.rouge.InstructionCorpus")
                .getDeclaredMethod("generate", int.class, long.class);
        generate.setAccessible(true);
        return (List<String>) generate.invoke(null, RECORDS, 42L);
    }

    static byte[] alpacaFile(List<String> instructions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JsonMapper.builder().build().createGenerator(out)) {
            json.writeStartArray();
            for (int i = 0; i < instructions.size(); i++) {
                json.writeStartObject();
                json.writeStringProperty("instruction", instructions.get(i));
                json.writeStringProperty("input", i % 3 == 0 ? "Context for item " + i + ": a short paragraph." : "");
                json.writeStringProperty(
                        "output",
                        "Answer " + i + ": a response of a few sentences that "
                                + "completes the request, as a generated instance would.");
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        return out.toByteArray();
    }

    private static void deleteRecursively(Path directory) throws Exception {
        if (Files.exists(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
