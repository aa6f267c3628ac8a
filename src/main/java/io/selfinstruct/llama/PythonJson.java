package io.selfinstruct.llama;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it (tool schemas, tool-call arguments):
 * {@code ", "} and {@code ": "} separators, or newlines and {@code indent} spaces, optional {@code sort_keys}, and
 * non-ASCII text written as is unless {@code ensure_ascii}. Floats are written as Python's {@code repr} writes
 * them ({@code 1.0}, {@code 1e-05}, {@code 1e+20}).
 */
final class PythonJson {

    record Options(Integer indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {

        static Options of(Integer indent, List<String> separators, boolean sortKeys, boolean ensureAscii) {
            String item = separators != null ? separators.get(0) : indent == null ? ", " : ",";
            String key = separators != null ? separators.get(1) : ": ";
            return new Options(indent, item, key, sortKeys, ensureAscii);
        }
    }

    private PythonJson() {}

    static String dumps(Object value, Options options) {
        StringBuilder out = new StringBuilder();
        write(value, options, 0, out);
        return out.toString();
    }

    private static void write(Object value, Options options, int depth, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(pythonFloat(((Number) value).doubleValue()));
        } else if (value instanceof Number n) {
            out.append(n instanceof BigDecimal d ? d.toPlainString() : n.toString());
        } else if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (options.sortKeys()) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            container('{', '}', entries, options, depth, out, (entry, o) -> {
                string(String.valueOf(entry.getKey()), options.ensureAscii(), o);
                o.append(options.keySeparator());
                write(entry.getValue(), options, depth + 1, o);
            });
        } else if (value instanceof Collection<?> items) {
            container('[', ']', items, options, depth, out, (item, o) -> write(item, options, depth + 1, o));
        } else if (value instanceof Object[] items) {
            write(List.of(items), options, depth, out);
        } else {
            string(value.toString(), options.ensureAscii(), out);
        }
    }

    private interface ItemWriter<T> {
        void write(T item, StringBuilder out);
    }

    private static <T> void container(
            char open,
            char close,
            Collection<T> items,
            Options options,
            int depth,
            StringBuilder out,
            ItemWriter<T> w) {
        out.append(open);
        if (items.isEmpty()) {
            out.append(close);
            return;
        }
        String newline = options.indent() == null ? "" : "\n" + " ".repeat(options.indent() * (depth + 1));
        boolean first = true;
        for (T item : items) {
            if (!first) {
                out.append(options.itemSeparator());
            }
            out.append(newline);
            w.write(item, out);
            first = false;
        }
        if (options.indent() != null) {
            out.append('\n').append(" ".repeat(options.indent() * depth));
        }
        out.append(close);
    }

    private static void string(String s, boolean ensureAscii, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** {@code repr(float)}: the shortest digits, positional from 1e-4 up to 1e16, else {@code d.ddde+XX}. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = decimal.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = decimal.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + String.format("%02d", Math.abs(exponent));
    }
}
