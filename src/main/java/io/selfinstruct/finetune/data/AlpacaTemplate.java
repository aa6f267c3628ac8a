package io.selfinstruct.finetune.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;

/**
 * The Alpaca prompt (tloen/alpaca-lora's {@code templates/alpaca.json}), with and without an input. Texts live in
 * {@code prompts/finetune/}; the response follows the prompt directly.
 */
public final class AlpacaTemplate {

    public static final String RESPONSE_SPLIT = "### Response:";
    private static final String WITH_INPUT = resource("/prompts/finetune/alpaca_input.txt");
    private static final String NO_INPUT = resource("/prompts/finetune/alpaca_no_input.txt");

    private AlpacaTemplate() {}

    /**
     * The prompt with the fields put in one pass: an instruction holding the text {@code {input}} (or any
     * template syntax) keeps it as it is.
     */
    public static String prompt(String instruction, String input) {
        boolean noInput = input == null || input.isEmpty();
        StringSubstitutor substitutor = new StringSubstitutor(
                noInput ? Map.of("instruction", instruction) : Map.of("instruction", instruction, "input", input),
                "{",
                "}");
        substitutor.setDisableSubstitutionInValues(true);
        substitutor.setEnableUndefinedVariableException(true);
        return substitutor.replace(noInput ? NO_INPUT : WITH_INPUT);
    }

    /** The response part of a generated text: everything after the last response marker, trimmed. */
    public static String response(String generated) {
        int at = generated.lastIndexOf(RESPONSE_SPLIT);
        return (at < 0 ? generated : generated.substring(at + RESPONSE_SPLIT.length())).strip();
    }

    private static String resource(String path) {
        try (InputStream in = AlpacaTemplate.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
