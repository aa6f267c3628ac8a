package io.selfinstruct.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AlpacaReaderTest {

    final AlpacaReader reader = new AlpacaReader(1000);

    @Test
    void byteOrderMarkAndCrLfLinesAreAccepted() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String jsonl =
                "{\"instruction\":\"a\",\"output\":\"b\"}\r\n{\"instruction\":\"c\",\"input\":null,\"output\":\"d\"}\r\n";
        AlpacaReader.Parsed parsed = reader.read(new SequenceInputStream(new ByteArrayInputStream(bom), stream(jsonl)));

        assertThat(parsed.invalid()).isEmpty();
        assertThat(parsed.records())
                .extracting(AlpacaReader.Entry::record)
                .containsExactly(new ExportRecord("a", "", "b"), new ExportRecord("c", "", "d"));
        assertThat(parsed.records()).extracting(AlpacaReader.Entry::line).containsExactly(1, 2);
    }

    @Test
    void lineNumbersCountLeadingBlankLines() {
        AlpacaReader.Parsed parsed = reader.read(stream("\n\n{\"instruction\":\"a\"}\n"));
        assertThat(parsed.invalid()).singleElement().satisfies(i -> {
            assertThat(i.line()).isEqualTo(3);
            assertThat(i.message()).isEqualTo("output is missing");
        });
        assertThatThrownBy(() -> reader.read(stream("\n\n[{\"instruction\": }]")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("line 3, column 18");
    }

    @Test
    void moreThanOneValueOnAJsonlLineIsInvalid() {
        AlpacaReader.Parsed parsed = reader.read(stream("{\"instruction\":\"a\",\"output\":\"b\"} {}\n"));
        assertThat(parsed.invalid())
                .singleElement()
                .satisfies(i -> assertThat(i.message()).isEqualTo("malformed JSON: more than one value on the line"));
    }

    @Test
    void invalidUtf8IsA400() {
        byte[] bad = "{\"instruction\":\"a\",\"output\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(bad)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not valid UTF-8");
        byte[] badArray = "[{\"instruction\":\"a\",\"output\":\"\u00ff\"}]".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(badArray)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Malformed JSON at line 1");
    }

    @Test
    void aBodyWithoutLengthStopsAtTheLimitWhileStreaming() {
        String record = "{\"instruction\":\"a\",\"input\":\"\",\"output\":\"b\"},";
        InputStream endless = new SequenceInputStream(Collections.enumeration(Stream.concat(
                        Stream.of(stream("[")),
                        Stream.generate(() -> stream(record)).limit(100_000))
                .toList()));
        assertThatThrownBy(() -> reader.read(new BoundedBody(endless, 50_000)))
                .isInstanceOf(BoundedBody.TooLarge.class)
                .hasMessageContaining("50000 bytes");
        InputStream lines = new SequenceInputStream(
                Collections.enumeration(Stream.generate(() -> stream(record.replace("},", "}\n")))
                        .limit(100_000)
                        .toList()));
        assertThatThrownBy(() -> reader.read(new BoundedBody(lines, 50_000))).isInstanceOf(BoundedBody.TooLarge.class);
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
