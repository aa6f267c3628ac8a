package io.selfinstruct.export;

import java.io.OutputStream;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.MinimalPrettyPrinter;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes records in one of the per-record formats with Jackson's streaming generator, straight to the given
 * stream: nothing but the current record is held. Jackson escapes whatever the text holds (quotes, control
 * characters, lone surrogates), so every file parses as JSON. The stream is left open for the caller.
 */
final class RecordWriter implements AutoCloseable {

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .rootValueSeparator("\n")
                    .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                    .build())
            .build();
    /** alpaca_data.json keeps one record per line, so the file can be read and diffed by eye. */
    private static final ObjectWriter ARRAY_LINES = MAPPER.writer().with(new MinimalPrettyPrinter() {
        @Override
        public void beforeArrayValues(JsonGenerator g) {
            g.writeRaw('\n');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) {
            g.writeRaw(",\n");
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) {
            g.writeRaw(nrOfValues == 0 ? "]" : "\n]");
        }
    });

    private final ExportFormat format;
    private final String systemMessage;
    private final JsonGenerator json;
    private long written;

    /** @param systemMessage the system turn of openai-chat records; empty leaves it out */
    RecordWriter(ExportFormat format, String systemMessage, OutputStream out) {
        if (!format.perRecord()) {
            throw new IllegalArgumentException(format + " is not written record by record");
        }
        this.format = format;
        this.systemMessage = systemMessage == null ? "" : systemMessage;
        this.json = format.array() ? ARRAY_LINES.createGenerator(out) : MAPPER.createGenerator(out);
        if (format.array()) {
            json.writeStartArray();
        }
    }

    void write(ExportRecord record) {
        switch (format) {
            case ALPACA, JSONL -> writeAlpaca(record);
            case OPENAI_CHAT -> writeOpenAiChat(record);
            case SHAREGPT -> writeShareGpt(record);
            default -> throw new IllegalStateException(format.name());
        }
        written++;
    }

    long written() {
        return written;
    }

    private void writeAlpaca(ExportRecord record) {
        json.writeStartObject();
        json.writeStringProperty("instruction", record.instruction());
        json.writeStringProperty("input", record.input());
        json.writeStringProperty("output", record.output());
        json.writeEndObject();
    }

    private void writeOpenAiChat(ExportRecord record) {
        json.writeStartObject();
        json.writeName("messages");
        json.writeStartArray();
        if (!systemMessage.isEmpty()) {
            message("role", "system", "content", systemMessage);
        }
        message("role", "user", "content", userTurn(record));
        message("role", "assistant", "content", record.output());
        json.writeEndArray();
        json.writeEndObject();
    }

    private void writeShareGpt(ExportRecord record) {
        json.writeStartObject();
        json.writeName("conversations");
        json.writeStartArray();
        message("from", "human", "value", userTurn(record));
        message("from", "gpt", "value", record.output());
        json.writeEndArray();
        json.writeEndObject();
    }

    private void message(String speakerKey, String speaker, String textKey, String text) {
        json.writeStartObject();
        json.writeStringProperty(speakerKey, speaker);
        json.writeStringProperty(textKey, text);
        json.writeEndObject();
    }

    /** Chat formats have no input field: the input follows the instruction after a blank line. */
    static String userTurn(ExportRecord record) {
        return record.input().isEmpty() ? record.instruction() : record.instruction() + "\n\n" + record.input();
    }

    @Override
    public void close() {
        if (format.array()) {
            json.writeEndArray();
        } else if (written > 0) {
            json.writeRaw('\n');
        }
        json.close();
    }
}
