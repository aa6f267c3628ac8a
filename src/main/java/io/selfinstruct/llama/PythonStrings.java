package io.selfinstruct.llama;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Python's {@code str} methods that chat templates call ({@code content.strip()},
 * {@code content.split('</think>')}, {@code role.startswith('tool')}, ...), with Python's meaning rather than
 * Java's: whitespace is every character {@code str.isspace()} accepts, {@code split} takes a literal separator.
 */
final class PythonStrings {

    /** The methods a template may call on a string; anything else falls through to Jinjava. */
    static final java.util.Set<String> METHODS = java.util.Set.of(
            "strip", "lstrip", "rstrip", "split", "startswith", "endswith", "upper", "lower", "replace", "join");

    private PythonStrings() {}

    static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> strip(s, chars(args, 0), true, true);
            case "lstrip" -> strip(s, chars(args, 0), true, false);
            case "rstrip" -> strip(s, chars(args, 0), false, true);
            case "split" -> split(s, chars(args, 0), args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "startswith" -> affix(s, args, true);
            case "endswith" -> affix(s, args, false);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "replace" ->
                replace(s, str(args[0]), str(args[1]), args.length > 2 ? ((Number) args[2]).intValue() : -1);
            case "join" -> join(s, args[0]);
            default -> throw new IllegalStateException("not a Python str method: " + method);
        };
    }

    /** {@code str.isspace()} for one code point: Unicode category Zs or bidi class WS, B or S. */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d)
                || (c >= 0x1c && c <= 0x20)
                || c == 0x85
                || c == 0xa0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202f
                || c == 0x205f
                || c == 0x3000;
    }

    /** {@code s.strip(chars)}, {@code lstrip}, {@code rstrip}; {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** {@code s.split(sep, maxsplit)}: runs of whitespace when {@code sep == null}, else the literal separator. */
    static List<String> split(String s, String sep, int maxsplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    return parts;
                }
                if (maxsplit >= 0 && parts.size() == maxsplit) {
                    parts.add(s.substring(i));
                    return parts;
                }
                int start = i;
                while (i < s.length() && !isSpace(s.charAt(i))) {
                    i++;
                }
                parts.add(s.substring(start, i));
            }
        }
        if (sep.isEmpty()) {
            throw new TransformersJinja.TemplateFailure("empty separator");
        }
        int start = 0;
        int at;
        while ((maxsplit < 0 || parts.size() < maxsplit) && (at = s.indexOf(sep, start)) >= 0) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static boolean affix(String s, Object[] args, boolean prefix) {
        Collection<?> options = args[0] instanceof Collection<?> many ? many : List.of(args[0]);
        for (Object option : options) {
            String affix = str(option);
            if (prefix ? s.startsWith(affix) : s.endsWith(affix)) {
                return true;
            }
        }
        return false;
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        int at;
        for (int n = 0; n < count && !old.isEmpty() && (at = s.indexOf(old, start)) >= 0; n++) {
            out.append(s, start, at).append(replacement);
            start = at + old.length();
        }
        return out.append(s.substring(start)).toString();
    }

    private static String join(String separator, Object items) {
        StringJoiner joined = new StringJoiner(separator);
        for (Object item : (Iterable<?>) items) {
            joined.add(str(item));
        }
        return joined.toString();
    }

    private static String chars(Object[] args, int index) {
        return args.length > index && args[index] != null ? str(args[index]) : null;
    }

    private static String str(Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw new TransformersJinja.TemplateFailure("expected a string, not " + value);
    }
}
