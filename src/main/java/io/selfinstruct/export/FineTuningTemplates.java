package io.selfinstruct.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.text.StringSubstitutor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The self-instruct GPT-3 fine-tuning encoding (step 4 of the method): each instance gets a prompt/completion
 * pair from a template drawn at random, one list for instances with an input and one for those without, so
 * the model does not learn one fixed layout. The templates live in {@code export/gpt3-finetuning-templates.json}.
 */
final class FineTuningTemplates {

    record Template(String prompt, String completion) {}

    record PromptCompletion(String prompt, String completion) {}

    private static final String RESOURCE = "/export/gpt3-finetuning-templates.json";
    /** A field label such as {@code Sentence:} or {@code Product review:} at the start of a line (not {@code https:}). */
    private static final Pattern FIELD_LABEL =
            Pattern.compile("(?m)^[ \\t]*\\p{L}[\\p{L}\\p{N}_ ]{0,29}:(?=\\s|$)[ \\t]*");

    private final List<Template> withInput;
    private final List<Template> withoutInput;

    FineTuningTemplates(List<Template> withInput, List<Template> withoutInput) {
        if (withInput.isEmpty() || withoutInput.isEmpty()) {
            throw new IllegalArgumentException("both template lists need at least one template");
        }
        this.withInput = List.copyOf(withInput);
        this.withoutInput = List.copyOf(withoutInput);
    }

    static FineTuningTemplates load() {
        try (InputStream in = FineTuningTemplates.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            JsonNode file = JsonMapper.builder().build().readTree(in);
            return new FineTuningTemplates(templates(file.path("withInput")), templates(file.path("withoutInput")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Template> templates(JsonNode list) {
        List<Template> templates = new ArrayList<>();
        for (JsonNode t : list) {
            templates.add(new Template(
                    t.required("prompt").asString(), t.required("completion").asString()));
        }
        return templates;
    }

    List<Template> withInput() {
        return withInput;
    }

    List<Template> withoutInput() {
        return withoutInput;
    }

    /**
     * Encodes one instance. Fields are stripped; an input made of a single labelled field ({@code Sentence: ...})
     * loses its label with probability 0.5, as the method does, so prompts both with and without it occur.
     */
    PromptCompletion encode(ExportRecord record, Random random) {
        String instruction = record.instruction().strip();
        String input = record.input().strip();
        String output = record.output().strip();
        String unlabelled = withoutSingleLabel(input);
        if (unlabelled != null && random.nextDouble() < 0.5) {
            input = unlabelled;
        }
        Template template = input.isEmpty()
                ? withoutInput.get(random.nextInt(withoutInput.size()))
                : withInput.get(random.nextInt(withInput.size()));
        return new PromptCompletion(
                render(template.prompt(), instruction, input, output),
                render(template.completion(), instruction, input, output));
    }

    /** The input without its label when it has exactly one labelled field and text after it; null otherwise. */
    static String withoutSingleLabel(String input) {
        Matcher labels = FIELD_LABEL.matcher(input);
        if (!labels.find() || labels.start() != 0) {
            return null;
        }
        int end = labels.end();
        if (labels.find()) {
            return null;
        }
        String rest = input.substring(end).strip();
        return rest.isEmpty() ? null : rest;
    }

    /** One pass over the template, so a field holding "{input}" is never substituted again. */
    static String render(String template, String instruction, String input, String output) {
        StringSubstitutor substitutor =
                new StringSubstitutor(Map.of("instruction", instruction, "input", input, "output", output), "{", "}");
        substitutor.setDisableSubstitutionInValues(true);
        return substitutor.replace(template);
    }
}
