package io.selfinstruct.generate;

import io.selfinstruct.llm.ResponseFormat;
import io.selfinstruct.pool.PoolLanguage;
import io.selfinstruct.seed.SeedTaskLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.text.StringSubstitutor;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The prompts of each step, from the resource files under {@code prompts/<language>/}. The same text serves both
 * call modes: the completions API gets it as the raw prompt, the chat API inside a message asking to continue it.
 */
@Component
public class PromptTemplates {

    private final Map<String, Map<String, String>> byLanguage;
    private final ResponseFormat classificationFormat =
            new ResponseFormat("is_classification", read("prompts/schemas/classification.json"));
    private final ResponseFormat instancesFormat =
            new ResponseFormat("instances", read("prompts/schemas/instances.json"));

    public PromptTemplates() {
        this.byLanguage =
                PoolLanguage.CODES.stream().collect(Collectors.toUnmodifiableMap(code -> code, PromptTemplates::load));
    }

    /**
     * Step 1: the header and the shown instructions numbered 1..n, ending with "n+1." for the model to continue.
     * Instructions are whitespace-collapsed and lose a trailing colon, as in the reference.
     */
    public String instructions(String language, List<String> shown, boolean classificationOnly) {
        StringBuilder prompt = new StringBuilder(
                template(language, classificationOnly ? "instructions_header_classification" : "instructions_header")
                        .strip());
        prompt.append('\n');
        for (int i = 0; i < shown.size(); i++) {
            prompt.append(i + 1).append(". ").append(forPrompt(shown.get(i))).append('\n');
        }
        return prompt.append(shown.size() + 1).append('.').toString();
    }

    /** Alpaca mode: the requirements, the seed examples as numbered {@code ###} blocks, then the next number. */
    public String alpaca(String language, List<SeedTaskLine> seeds) {
        StringBuilder prompt =
                new StringBuilder(template(language, "alpaca_header").strip()).append('\n');
        for (int i = 0; i < seeds.size(); i++) {
            SeedTaskLine seed = seeds.get(i);
            SeedTaskLine.Example example = seed.instances().get(0);
            String input = example.input().isBlank() ? "<noinput>" : example.input();
            int n = i + 1;
            prompt.append("###\n")
                    .append(n)
                    .append(". Instruction: ")
                    .append(forPrompt(seed.instruction()))
                    .append('\n')
                    .append(n)
                    .append(". Input:\n")
                    .append(input)
                    .append('\n')
                    .append(n)
                    .append(". Output:\n")
                    .append(example.output())
                    .append('\n');
        }
        return prompt.append("###\n")
                .append(seeds.size() + 1)
                .append(". Instruction:")
                .toString();
    }

    /** Step 2: the few-shot Yes/No question. */
    public String isClassification(String language, String instruction) {
        return render(template(language, "is_classification"), instruction).stripTrailing();
    }

    /** Step 3: output-first for classification tasks, input-first otherwise. */
    public String instances(String language, String instruction, boolean classification) {
        String name = classification ? "instances_output_first" : "instances_input_first";
        return render(template(language, name), instruction);
    }

    /** Step 2 asked for a JSON object: the same few-shot prompt under a line that says how to answer. */
    public String structuredIsClassification(String language, String instruction) {
        return template(language, "structured_classification") + isClassification(language, instruction);
    }

    /** Step 3 asked for a JSON object of instances: the same few-shot prompt under a line that says how. */
    public String structuredInstances(String language, String instruction, boolean classification) {
        return template(language, "structured_instances") + instances(language, instruction, classification);
    }

    /** The JSON schema of a structured step-2 answer: {@code {"is_classification": boolean}}. */
    public ResponseFormat classificationFormat() {
        return classificationFormat;
    }

    /** The JSON schema of a structured step-3 answer: {@code {"instances": [{"input", "output"}]}}. */
    public ResponseFormat instancesFormat() {
        return instancesFormat;
    }

    static String forPrompt(String instruction) {
        String text = ResponseText.collapse(instruction);
        return text.endsWith(":") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * Puts the instruction at the template's {@code {{ instruction }}} in one pass: the instruction is data, so
     * template syntax inside it (common in code tasks) stays as it is.
     */
    private static String render(String template, String instruction) {
        StringSubstitutor substitutor =
                new StringSubstitutor(Map.of("instruction", forPrompt(instruction)), "{{ ", " }}");
        substitutor.setDisableSubstitutionInValues(true);
        substitutor.setEnableUndefinedVariableException(true);
        return substitutor.replace(template);
    }

    private String template(String language, String name) {
        Map<String, String> templates = byLanguage.get(language);
        if (templates == null) {
            throw new IllegalArgumentException("no prompts for language " + language);
        }
        return templates.get(name);
    }

    private static Map<String, String> load(String language) {
        List<String> names = List.of(
                "instructions_header",
                "instructions_header_classification",
                "is_classification",
                "instances_output_first",
                "instances_input_first",
                "alpaca_header",
                "structured_classification",
                "structured_instances");
        return names.stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        n -> n, n -> read("prompts/" + language + "/" + n + ".txt")));
    }

    private static String read(String path) {
        try (var in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Missing prompt template " + path, e);
        }
    }
}
