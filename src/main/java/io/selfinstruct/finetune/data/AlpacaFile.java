package io.selfinstruct.finetune.data;

import io.selfinstruct.export.AlpacaReader;
import io.selfinstruct.problem.InvalidRequestException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fine-tune data file: {@code alpaca_data.json} or JSONL, read by the import's {@link AlpacaReader} (streamed,
 * BOM-aware, the same rules), as training examples.
 */
public final class AlpacaFile {

    private AlpacaFile() {}

    public static List<Example> read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return parse(in, file.getFileName().toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static List<Example> parse(String text) {
        return parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "the alpaca file");
    }

    private static List<Example> parse(InputStream in, String name) {
        try {
            return AlpacaReader.readAll(in, Integer.MAX_VALUE).stream()
                    .map(r -> new Example(r.instruction(), r.input(), r.output()))
                    .toList();
        } catch (InvalidRequestException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
