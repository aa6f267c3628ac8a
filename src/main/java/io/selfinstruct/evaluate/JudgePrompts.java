package io.selfinstruct.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The prompts of an evaluation, from {@code prompts/judge/}: what the two models are asked, and the pairwise judge
 * prompt in English or Chinese by the instruction's language. Fields are put in one pass, so an answer holding
 * text such as {@code {answer_b}} keeps it as it is.
 */
@Component
class JudgePrompts {

    private final String judgeEn = read("prompts/judge/pairwise_en.txt");
    private final String judgeZh = read("prompts/judge/pairwise_zh.txt");
    private final String answerWithInput = read("prompts/judge/answer_with_input.txt");

    String answer(String instruction, String input) {
        return input.isBlank()
                ? instruction
                : fill(answerWithInput, Map.of("instruction", instruction, "input", input));
    }

    /** The judge prompt with {@code first} shown as assistant A and {@code second} as assistant B. */
    String judge(String language, String instruction, String input, String first, String second) {
        return fill(
                "zh".equals(language) ? judgeZh : judgeEn,
                Map.of(
                        "instruction",
                        instruction,
                        "input",
                        input.isBlank() ? "-" : input,
                        "answer_a",
                        first,
                        "answer_b",
                        second));
    }

    /** "zh" when the text holds CJK ideographs, else "en". */
    static String languageOf(String text) {
        return text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
                ? "zh"
                : "en";
    }

    /** The template with the values put in one pass, as {@code AlpacaTemplate} fills its prompts. */
    static String fill(String template, Map<String, String> values) {
        StringSubstitutor substitutor = new StringSubstitutor(values, "{", "}");
        substitutor.setDisableSubstitutionInValues(true);
        substitutor.setEnableUndefinedVariableException(true);
        return substitutor.replace(template).strip();
    }

    private static String read(String path) {
        try (var in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
