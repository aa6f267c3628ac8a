package io.selfinstruct.llama;

/**
 * What jinja2's lexer does to a template's source before any tag is parsed, and Jinjava does differently:
 * newlines normalised to {@code \n}; one final newline dropped ({@code keep_trailing_newline=False}: Jinjava's
 * option would drop a final newline of the output instead, the one a generation prompt ends with); and
 * {@code lstrip_blocks}: the spaces and tabs before a {@code {% tag %}} or {@code {# comment #}} are removed only
 * when nothing but them stands between the start of the line and the tag (Jinjava strips them after text too, as
 * in {@code Hello {% if %}}), and not before {@code {%+}; comments are dropped here, with their whitespace control.
 */
final class Jinja2Source {

    private Jinja2Source() {}

    static String prepare(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return lstripBlocks(s);
    }

    private static String lstripBlocks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("{#", i)) {
                i = comment(s, i, out);
            } else if (s.startsWith("{%", i)) {
                boolean keep = s.startsWith("{%+", i);
                if (keep) {
                    out.append("{%");
                    i += 3;
                } else {
                    lstrip(out);
                }
                int tagEnd = tagEnd(s, i + 2, "%}");
                boolean raw = isTag(s.substring(i, tagEnd), "raw");
                i = copy(s, i, tagEnd, out);
                if (raw) {
                    int endraw = findEndRaw(s, i);
                    i = copy(s, i, endraw, out);
                    if (endraw < s.length()) {
                        if (!s.startsWith("{%+", endraw) && !s.startsWith("{%-", endraw)) {
                            lstrip(out);
                        }
                        i = copy(s, i, tagEnd(s, endraw + 2, "%}"), out);
                    }
                }
            } else if (s.startsWith("{{", i)) {
                i = expression(s, i, out);
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * Drops a comment as jinja2 does: {@code {#-} strips the whitespace before it, {@code -#}} the whitespace
     * after it, and otherwise lstrip_blocks before it and trim_blocks (one newline) after it. (Jinjava, given
     * {@code {#- ... #}}, strips the whitespace after the comment too.)
     */
    private static int comment(String s, int open, StringBuilder out) {
        char sign = open + 2 < s.length() ? s.charAt(open + 2) : 0;
        if (sign == '-') {
            out.setLength(PythonStrings.strip(out.toString(), null, false, true).length());
        } else if (sign != '+') {
            lstrip(out);
        }
        int close = s.indexOf("#}", open + 2);
        if (close < 0) {
            return s.length();
        }
        int i = close + 2;
        if (s.charAt(close - 1) == '-') {
            while (i < s.length() && PythonStrings.isSpace(s.charAt(i))) {
                i++;
            }
        } else if (s.charAt(close - 1) != '+' && i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return i;
    }

    /**
     * Copies a {@code {{ ... }}}, with a space after each {@code }} of a dict literal that another {@code }}
     * follows: jinja2 balances the braces, Jinjava ends the expression at the first {@code }}}.
     */
    private static int expression(String s, int open, StringBuilder out) {
        int end = tagEnd(s, open + 2, "}}");
        int inner = s.startsWith("}}", end - 2) ? end - 2 : end;
        out.append("{{");
        for (int i = open + 2; i < inner; i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int close = stringEnd(s, i);
                out.append(s, i, Math.min(close + 1, inner));
                i = close;
            } else {
                out.append(c);
                if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                    out.append(' ');
                }
            }
        }
        return copy(s, inner, end, out);
    }

    /** Removes the whitespace before a tag when it reaches back to a line start (or the template's). */
    private static void lstrip(StringBuilder out) {
        int k = out.length();
        while (k > 0 && out.charAt(k - 1) != '\n' && PythonStrings.isSpace(out.charAt(k - 1))) {
            k--;
        }
        if (k == 0 || out.charAt(k - 1) == '\n') {
            out.setLength(k);
        }
    }

    private static int copy(String s, int from, int to, StringBuilder out) {
        out.append(s, from, to);
        return to;
    }

    /** The end of a tag or expression: its closing delimiter outside string literals and brackets. */
    private static int tagEnd(String s, int from, String close) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i);
            } else if (depth == 0 && s.startsWith(close, i)) {
                return i + close.length();
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return s.length();
    }

    private static int stringEnd(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == quote) {
                return i;
            }
        }
        return s.length();
    }

    /** Whether {@code tag} ({@code {% name %}} with optional whitespace control) is the tag {@code name}. */
    private static boolean isTag(String tag, String name) {
        String inner = tag.substring(2, Math.max(2, tag.length() - 2));
        inner = PythonStrings.strip(inner, "-+ \t\n", true, true);
        return inner.equals(name);
    }

    private static int findEndRaw(String s, int from) {
        for (int at = s.indexOf("{%", from); at >= 0; at = s.indexOf("{%", at + 2)) {
            if (isTag(s.substring(at, tagEnd(s, at + 2, "%}")), "endraw")) {
                return at;
            }
        }
        return s.length();
    }
}
