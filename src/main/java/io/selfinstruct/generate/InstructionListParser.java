package io.selfinstruct.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step 1 of self-instruct: reads the model's continuation of a numbered list ("9." was the end of the prompt)
 * into candidate instructions. Follows the reference (split on numbered lines, collapse whitespace) and also
 * reads what chat models really send: a lead-in sentence, markdown bold, numbering restarting at 1, a closing
 * remark after a blank line. A response cut by the token limit loses only its last item.
 */
public final class InstructionListParser {

    private static final Pattern NUMBERED = Pattern.compile("(?m)^[ \\t]*\\d{1,3}[ \\t]*[.)][ \\t]*");
    private static final Pattern LABEL = Pattern.compile("^(?i)(task|instruction)\\s*\\d*\\s*:\\s*");

    private InstructionListParser() {}

    /**
     * @param continuation the model's text after the prompt's last "N."
     * @param truncated    the response stopped at the token limit
     * @param capitalize   apply Python's {@code str.capitalize()} as the reference generator does (off by default)
     */
    public static Parsed parse(String continuation, boolean truncated, boolean capitalize) {
        String text = ResponseText.undecorate(continuation);
        List<String> pieces = new ArrayList<>();
        Matcher m = NUMBERED.matcher(text);
        int start = 0;
        boolean first = true;
        while (m.find()) {
            String before = text.substring(start, m.start());
            if (!first || !ResponseText.isPreamble(before)) {
                pieces.add(before);
            }
            first = false;
            start = m.end();
        }
        String last = text.substring(start);
        if (!first || !ResponseText.isPreamble(last)) {
            pieces.add(last);
        }
        List<String> items = new ArrayList<>();
        for (String piece : pieces) {
            // a blank line ends the list item: what follows is the model talking, not a task
            int blank = piece.indexOf("\n\n");
            String item = blank >= 0 ? piece.substring(0, blank) : piece;
            item = ResponseText.collapse(LABEL.matcher(item.strip()).replaceFirst(""));
            if (capitalize) {
                item = pythonCapitalize(item);
            }
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        String dropped = null;
        if (truncated && !items.isEmpty()) {
            dropped = items.remove(items.size() - 1);
        }
        return new Parsed(List.copyOf(items), dropped);
    }

    /** Python's str.capitalize(): first character upper case, the rest lower case. */
    static String pythonCapitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return new String(Character.toChars(Character.toTitleCase(first)))
                + s.substring(n).toLowerCase(Locale.ROOT);
    }

    /**
     * @param instructions the candidates in response order
     * @param truncated    the last item of a response cut by the token limit, or null
     */
    public record Parsed(List<String> instructions, String truncated) {}
}
