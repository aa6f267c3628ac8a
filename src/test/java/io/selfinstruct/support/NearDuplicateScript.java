package io.selfinstruct.support;

import io.selfinstruct.support.ScriptedLlmServer.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LLM that proposes near-duplicates at a high rate: every step-1 item is one of {@link #BASES} sentences after one
 * of several leading verbs, so two items on the same sentence have ROUGE-L 7/8 with each other. Steps 2 and 3 are
 * answered as {@link SelfInstructScript} answers them.
 */
public final class NearDuplicateScript implements Function<String, Answer> {

    public static final int BASES = 120;
    private static final String[] VERBS = {"Describe", "Explain", "Summarize", "Outline", "Discuss", "Analyze"};
    private static final Pattern LIST_END = Pattern.compile("(?s).*\\n(\\d+)\\.$");
    private static final String[] SENTENCES = sentences();

    private final SelfInstructScript steps = new SelfInstructScript(false, false);
    private final AtomicLong counter = new AtomicLong();

    /** The {@code i}-th instruction on base sentence {@code base}: same base, other verb, a near-duplicate. */
    public static String instruction(int base, int verb) {
        return VERBS[Math.floorMod(verb, VERBS.length)] + " " + SENTENCES[Math.floorMod(base, BASES)] + ".";
    }

    @Override
    public Answer apply(String prompt) {
        Matcher end = LIST_END.matcher(prompt.stripTrailing());
        if (!end.matches() || prompt.stripTrailing().endsWith("Is it classification?")) {
            return steps.apply(prompt);
        }
        int next = Integer.parseInt(end.group(1));
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long n = counter.incrementAndGet();
            // ten proposals in a row share a sentence: concurrent requests (of both instances) race on it
            items.add(instruction((int) ((n / 10) % BASES), (int) n));
        }
        StringBuilder text = new StringBuilder(" ").append(items.get(0));
        for (int i = 1; i < items.size(); i++) {
            text.append('\n').append(next + i).append(". ").append(items.get(i));
        }
        return Answer.stop(text.toString());
    }

    /** Seven pseudo-words each, drawn so that two different sentences share almost no word. */
    private static String[] sentences() {
        Random random = new Random(11);
        String consonants = "bdfgklmnprstvz";
        String vowels = "aeiou";
        String[] sentences = new String[BASES];
        for (int s = 0; s < BASES; s++) {
            StringBuilder sentence = new StringBuilder();
            for (int w = 0; w < 7; w++) {
                if (w > 0) {
                    sentence.append(' ');
                }
                for (int syllable = 0; syllable < 3; syllable++) {
                    sentence.append(consonants.charAt(random.nextInt(consonants.length())))
                            .append(vowels.charAt(random.nextInt(vowels.length())));
                }
            }
            sentences[s] = sentence.toString();
        }
        return sentences;
    }
}
