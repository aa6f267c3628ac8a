package io.selfinstruct.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scripts of an LLM judge for {@link ScriptedLlmServer}: they read the two answers out of the pairwise judge prompt
 * (between its "[The Start of Assistant A's Answer]" ... markers) and keep every pair they saw, in the order shown.
 */
public final class JudgeScripts {

    private static final Pattern ANSWER = Pattern.compile(
            "\\[The Start of Assistant ([AB])'s Answer]\\n(.*?)\\n\\[The End of Assistant \\1's Answer]",
            Pattern.DOTALL);

    /** One judge prompt's answers: {@code first} was shown as assistant A, {@code second} as B. */
    public record Shown(String first, String second) {}

    private final List<Shown> seen = new CopyOnWriteArrayList<>();

    public List<Shown> seen() {
        return seen;
    }

    /** Prefers the longer answer, [[C]] when both are as long. */
    public Function<String, ScriptedLlmServer.Answer> longer() {
        return prompt -> {
            Shown shown = read(prompt);
            String verdict = shown.first().length() > shown.second().length()
                    ? "[[A]]"
                    : shown.first().length() < shown.second().length() ? "[[B]]" : "[[C]]";
            return ScriptedLlmServer.Answer.stop(
                    "Comparing lengths; a stray [[B]] here is not the verdict.\n" + verdict);
        };
    }

    /** Always says the first answer is better: pure position bias. */
    public Function<String, ScriptedLlmServer.Answer> alwaysFirst() {
        return prompt -> {
            read(prompt);
            return ScriptedLlmServer.Answer.stop("The first one. [[A]]");
        };
    }

    private Shown read(String prompt) {
        Matcher m = ANSWER.matcher(prompt);
        String first = null;
        String second = null;
        while (m.find()) {
            if (m.group(1).equals("A")) {
                first = m.group(2);
            } else {
                second = m.group(2);
            }
        }
        if (first == null || second == null) {
            throw new IllegalArgumentException("not a judge prompt: " + prompt);
        }
        Shown shown = new Shown(first, second);
        seen.add(shown);
        return shown;
    }
}
