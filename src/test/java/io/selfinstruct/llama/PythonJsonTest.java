package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** json.dumps as Python 3.11 writes these values (the expected strings are Python's output). */
class PythonJsonTest {

    @ParameterizedTest
    @CsvSource({
        "1.0, 1.0",
        "1e16, 1e+16",
        "1e15, 1000000000000000.0",
        "123.456, 123.456",
        "-0.0, -0.0",
        "0.0001, 0.0001",
        "1e-05, 1e-05",
        "123456789012345678.0, 1.2345678901234568e+17",
        "-2.5e-7, -2.5e-07"
    })
    void floatsAsPythonsRepr(double value, String python) {
        assertThat(PythonJson.pythonFloat(value)).isEqualTo(python);
    }

    @Test
    void separatorsIndentAndEscapes() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", List.of(1, 2.5, Map.of()));
        value.put("a", List.of());
        value.put("c", null);
        value.put("d", "é\u0001\"\\\n😀");
        assertThat(PythonJson.dumps(value, PythonJson.Options.of(null, null, false, false)))
                .isEqualTo("{\"b\": [1, 2.5, {}], \"a\": [], \"c\": null, \"d\": \"é\\u0001\\\"\\\\\\n😀\"}");
        assertThat(PythonJson.dumps(value, PythonJson.Options.of(2, null, true, true)))
                .isEqualTo("{\n  \"a\": [],\n  \"b\": [\n    1,\n    2.5,\n    {}\n  ],\n  \"c\": null,\n"
                        + "  \"d\": \"\\u00e9\\u0001\\\"\\\\\\n\\ud83d\\ude00\"\n}");
        assertThat(PythonJson.dumps(List.of(1, "x"), PythonJson.Options.of(null, List.of(",", ":"), false, false)))
                .isEqualTo("[1,\"x\"]");
    }
}
