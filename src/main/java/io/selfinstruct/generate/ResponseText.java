package io.selfinstruct.generate;

import java.util.regex.Pattern;

/** What chat models add around the pattern they were asked to continue, and how to take it off. */
final class ResponseText {

    private static final Pattern BOLD = Pattern.compile("\\*\\*|__");
    private static final Pattern HEADING = Pattern.compile("(?m)^[ \\t]*#{1,6}[ \\t]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ResponseText() {}

    /** Removes markdown emphasis and heading marks, and Windows line ends. */
    static String undecorate(String text) {
        String plain = text.replace("\r\n", "\n").replace('\r', '\n');
        plain = BOLD.matcher(plain).replaceAll("");
        return HEADING.matcher(plain).replaceAll("");
    }

    /** Collapses every run of whitespace to one space and strips, as the reference does before prompting. */
    static String collapse(String text) {
        return WHITESPACE.matcher(text).replaceAll(" ").strip();
    }

    /** A chat model's lead-in such as "Sure! Here are 7 more tasks:" rather than content. */
    static boolean isPreamble(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        return t.isEmpty()
                || t.endsWith(":")
                || t.matches("^(sure|certainly|of course|okay|ok|here|absolutely|great)\\b.*");
    }
}
