package io.selfinstruct.export;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Run by {@link StreamingExportTest} in a JVM with a small heap: fills an H2 file pool, exports it in each
 * format named to a file and counts the records in that file with a streaming parser, printing
 * {@code <format> records=N bytes=B seconds=S}; an OutOfMemoryError ends the JVM with a non-zero status.
 * Arguments: database directory, instance count, output directory, formats (alpaca, jsonl, gpt3, ...).
 */
public final class StreamingExportMain {

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int instances = Integer.parseInt(args[1]);
        Path outputs = Path.of(args[2]);
        long start = System.nanoTime();
        LargePool pool = new LargePool(directory).fill(instances);
        System.out.printf(
                "filled seconds=%.2f maxHeapMB=%d%n",
                (System.nanoTime() - start) / 1e9, Runtime.getRuntime().maxMemory() >> 20);

        for (int i = 3; i < args.length; i++) {
            ExportFormat format = ExportFormat.of(args[i]);
            Path file = outputs.resolve(format.fileName());
            start = System.nanoTime();
            Exporter.Download download =
                    pool.exporter().export(new Exporter.Request(format, ExportFilter.accepted(), null, 42, null));
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                download.body().writeTo(out);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String records = format == ExportFormat.SELF_INSTRUCT
                    ? countZipped(file)
                    : String.valueOf(count(file, format.array()));
            System.out.printf(
                    "%s records=%s bytes=%d seconds=%.2f%n", format.parameter(), records, Files.size(file), seconds);
            Files.delete(file);
        }
    }

    /** Lines of each zip entry, e.g. {@code all_generated_instances.jsonl:1000000,gpt3_...jsonl:1000000}. */
    static String countZipped(Path file) throws Exception {
        List<String> counts = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                long lines = 0;
                byte[] buffer = new byte[1 << 16];
                for (int n = zip.read(buffer); n > 0; n = zip.read(buffer)) {
                    for (int i = 0; i < n; i++) {
                        lines += buffer[i] == '\n' ? 1 : 0;
                    }
                }
                counts.add(entry.getName() + ":" + lines);
            }
        }
        return String.join(",", counts);
    }

    /** Top-level objects: array elements for alpaca, lines otherwise; never more than one in memory. */
    static long count(Path file, boolean array) throws Exception {
        long records = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
                JsonParser parser = JsonMapper.builder().build().createParser(in)) {
            int depth = 0;
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (t == JsonToken.START_OBJECT && depth == (array ? 1 : 0)) {
                        records++;
                    }
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                }
            }
        }
        return records;
    }
}
