package io.selfinstruct.export;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an import: an alpaca JSON array ({@code alpaca_data.json}) or JSONL, one record per line, each record
 * {@code {"instruction","input","output"}} (other keys are ignored, a missing or null input is "", the
 * instruction must not be blank nor the output empty). The text is
 * kept exactly as sent. Records that break the rules are listed with their position and every problem found;
 * JSON that cannot be parsed at all is a 400 naming the line and column. A bad JSONL line is only an invalid
 * record, because the next line can still be read.
 */
public final class AlpacaReader {

    record Entry(int index, Integer line, ExportRecord record) {}

    record Parsed(List<Entry> records, List<ImportReport.Invalid> invalid) {}

    /** Records are read one by one from a parser that goes on, so what follows a record is not an error here. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final int maxFieldChars;

    AlpacaReader(int maxFieldChars) {
        this.maxFieldChars = maxFieldChars;
    }

    /**
     * Reads a whole alpaca file or stream (e.g. a fine-tune data file) with the rules of an import; any invalid
     * record is an error naming it.
     */
    public static List<ExportRecord> readAll(InputStream body, int maxFieldChars) {
        Parsed parsed = new AlpacaReader(maxFieldChars).read(body);
        if (!parsed.invalid().isEmpty()) {
            ImportReport.Invalid first = parsed.invalid().get(0);
            throw new InvalidRequestException(parsed.invalid().size() + " invalid record"
                    + (parsed.invalid().size() == 1 ? "" : "s") + "; the first is " + first.where() + ": "
                    + first.message());
        }
        return parsed.records().stream().map(Entry::record).toList();
    }

    Parsed read(InputStream body) {
        try {
            PushbackInputStream in = new PushbackInputStream(body, 1);
            int skippedLines = 0;
            int first = in.read();
            if (first == 0xEF) { // a UTF-8 byte order mark: EF BB BF
                if (in.read() != 0xBB || in.read() != 0xBF) {
                    throw new InvalidRequestException("The import is not valid UTF-8 at its first byte.");
                }
                first = in.read();
            }
            while (first == ' ' || first == '\t' || first == '\r' || first == '\n') {
                skippedLines += first == '\n' ? 1 : 0;
                first = in.read();
            }
            if (first < 0) {
                throw new InvalidRequestException("The import is empty: send an alpaca JSON array or JSONL records.");
            }
            in.unread(first);
            if (first == '[') {
                return readArray(in, skippedLines);
            }
            if (first == '{') {
                return readLines(in, skippedLines);
            }
            throw new InvalidRequestException("The import must be an alpaca JSON array ([{...}, ...]) or JSONL "
                    + "(one {...} per line); it starts with '" + (char) first + "'.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Parsed readArray(InputStream in, int skippedLines) {
        List<Entry> records = new ArrayList<>();
        List<ImportReport.Invalid> invalid = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(in)) {
            parser.nextToken();
            int index = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token == null) {
                    throw new InvalidRequestException("Malformed JSON: the import ends before its array is closed.");
                }
                JsonNode node = JSON.readTree(parser);
                accept(node, index, null, records, invalid);
                index++;
            }
            if (parser.nextToken() != null) {
                throw malformed(parser.currentLocation(), skippedLines, "unexpected content after the array");
            }
        } catch (JacksonException e) {
            throw malformed(e.getLocation(), skippedLines, e.getOriginalMessage());
        }
        return new Parsed(records, invalid);
    }

    private Parsed readLines(InputStream in, int skippedLines) throws IOException {
        List<Entry> records = new ArrayList<>();
        List<ImportReport.Invalid> invalid = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()));
        int lineNumber = skippedLines;
        int index = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try (JsonParser parser = JSON.createParser(line)) {
                    JsonNode node = JSON.readTree(parser);
                    if (parser.nextToken() != null) {
                        invalid.add(new ImportReport.Invalid(
                                index++, lineNumber, "malformed JSON: more than one value on the line"));
                        continue;
                    }
                    accept(node, index++, lineNumber, records, invalid);
                } catch (JacksonException e) {
                    int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
                    invalid.add(new ImportReport.Invalid(
                            index++,
                            lineNumber,
                            "malformed JSON at column " + column + ": " + firstLine(e.getOriginalMessage())));
                }
            }
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("The import is not valid UTF-8 (at line " + (lineNumber + 1) + ").");
        }
        return new Parsed(records, invalid);
    }

    private void accept(
            JsonNode node, int index, Integer line, List<Entry> records, List<ImportReport.Invalid> invalid) {
        List<String> problems = new ArrayList<>();
        ExportRecord record = null;
        if (!node.isObject()) {
            problems.add("the record is " + describe(node) + ", expected an object with instruction, input and output");
        } else {
            String instruction = text(node, "instruction", true, problems);
            String input = text(node, "input", false, problems);
            String output = text(node, "output", true, problems);
            record = new ExportRecord(instruction, input, output);
        }
        if (problems.isEmpty()) {
            records.add(new Entry(index, line, record));
        } else {
            invalid.add(new ImportReport.Invalid(index, line, String.join("; ", problems)));
        }
    }

    /** The field's text; a required field must be non-empty, an optional one may be missing or null (""). */
    private String text(JsonNode record, String field, boolean required, List<String> problems) {
        JsonNode value = record.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(field + " is missing");
            }
            return "";
        }
        if (!value.isString()) {
            problems.add(field + " must be a string, not " + describe(value));
            return "";
        }
        String text = value.asString();
        // an instruction of spaces says nothing; an output of spaces is odd but is what the exporter wrote
        if (required && (field.equals("instruction") ? text.isBlank() : text.isEmpty())) {
            problems.add(field + " is empty");
        } else if (text.length() > maxFieldChars) {
            problems.add(field + " has " + text.length() + " characters, more than the limit of " + maxFieldChars);
        }
        return text;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static InvalidRequestException malformed(TokenStreamLocation location, int skippedLines, String message) {
        String where = location == null || location == TokenStreamLocation.NA
                ? ""
                : " at line " + (location.getLineNr() + skippedLines) + ", column " + location.getColumnNr();
        return new InvalidRequestException(
                "Malformed JSON" + where + ": " + firstLine(message) + "; nothing was imported.");
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
