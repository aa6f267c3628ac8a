package io.selfinstruct.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Turns an export request into a download whose body streams from the database as the client reads it.
 * Only the GPT-3 fine-tuning file is built before the response starts, because its name holds its line count.
 */
@Service
public class Exporter {

    /**
     * @param split the train fraction (0 &lt; split &lt; 1) of a train/validation zip, or null for one file
     * @param seed seeds the split, the fine-tuning templates and their shuffle
     * @param systemMessage the system turn of openai-chat records; null for the configured default
     */
    public record Request(ExportFormat format, ExportFilter filter, Double split, long seed, String systemMessage) {}

    public record Download(String fileName, String contentType, StreamingResponseBody body) {}

    private final PoolRecords records;
    private final ExportProperties properties;
    private final FineTuningTemplates templates = FineTuningTemplates.load();

    public Exporter(PoolRecords records, ExportProperties properties) {
        this.records = records;
        this.properties = properties;
    }

    public Download export(Request request) {
        ExportFormat format = request.format();
        if (format == ExportFormat.GPT3) {
            return fineTuningFile(request);
        }
        if (format == ExportFormat.SELF_INSTRUCT) {
            return new Download(format.fileName(), format.contentType(), out -> writeSelfInstruct(request, out));
        }
        String systemMessage = request.systemMessage() == null ? properties.systemMessage() : request.systemMessage();
        if (request.split() != null) {
            return new Download(
                    format.baseName() + "_split.zip",
                    "application/zip",
                    out -> writeSplit(request, systemMessage, out));
        }
        return new Download(format.fileName(), format.contentType(), out -> {
            try (RecordWriter writer = new RecordWriter(format, systemMessage, out)) {
                records.forEach(request.filter(), writer::write);
            }
        });
    }

    /**
     * Train and validation files in a zip. The validation records are chosen by selection sampling (Knuth's
     * algorithm S) over the counted total: exactly round(total * (1 - split)) of them, uniformly at random for
     * the seed, in one pass. They are spooled to a temporary file while the train entry streams.
     */
    private void writeSplit(Request request, String systemMessage, OutputStream out) throws IOException {
        ExportFormat format = request.format();
        long total = records.count(request.filter());
        long validation = Math.round(total * (1 - request.split()));
        Random random = new Random(request.seed());
        Path spool = Files.createTempFile(format.baseName() + "_validation", format.extension());
        try {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry(format.baseName() + "_train" + format.extension()));
            try (OutputStream spoolOut = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16);
                    RecordWriter validationWriter = new RecordWriter(format, systemMessage, spoolOut);
                    RecordWriter trainWriter = new RecordWriter(format, systemMessage, zip)) {
                long[] seen = {0};
                records.forEach(request.filter(), record -> {
                    long remaining = total - seen[0]++;
                    long needed = validation - validationWriter.written();
                    if (remaining > 0 && needed > 0 && random.nextDouble() * remaining < needed) {
                        validationWriter.write(record);
                    } else {
                        trainWriter.write(record);
                    }
                });
            }
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(format.baseName() + "_validation" + format.extension()));
            Files.copy(spool, zip);
            zip.closeEntry();
            zip.finish();
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** SI's two output files: every instance as it is, and the fine-tuning pairs built from them. */
    private void writeSelfInstruct(Request request, OutputStream out) throws IOException {
        try (FineTuningData fineTuning = new FineTuningData(templates, request.seed())) {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry("all_generated_instances.jsonl"));
            try (RecordWriter all = new RecordWriter(ExportFormat.JSONL, "", zip)) {
                records.forEach(request.filter(), record -> {
                    all.write(record);
                    fineTuning.add(record);
                });
            }
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(fineTuning.fileName()));
            fineTuning.writeShuffled(zip);
            zip.closeEntry();
            zip.finish();
        }
    }

    private Download fineTuningFile(Request request) {
        FineTuningData fineTuning = new FineTuningData(templates, request.seed());
        try {
            records.forEach(request.filter(), fineTuning::add);
        } catch (RuntimeException e) {
            fineTuning.close();
            throw e;
        }
        return new Download(fineTuning.fileName(), ExportFormat.GPT3.contentType(), out -> {
            try (fineTuning) {
                fineTuning.writeShuffled(out);
            }
        });
    }
}
