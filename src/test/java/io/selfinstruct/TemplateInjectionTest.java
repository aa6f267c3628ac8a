package io.selfinstruct;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.finetune.data.AlpacaTemplate;
import io.selfinstruct.generate.PromptTemplates;
import io.selfinstruct.llama.ChatTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text from LLMs and imports is data: template syntax inside an instruction, input or output reaches the step 2/3
 * prompts and the training text exactly as written, never evaluated or substituted again.
 */
class TemplateInjectionTest {

    static final String JINJA_EXPRESSION = "Compute {{ 7*7 }} in the template";
    static final String JINJA_LOOP = "Render {% for x in [1, 2] %}[{{ x }}]{% endfor %} as a list";
    static final String PLACEHOLDERS = "Replace {input} and {instruction} and {{ instruction }} and ${input}";

    final PromptTemplates prompts = new PromptTemplates();

    @ParameterizedTest
    @ValueSource(strings = {JINJA_EXPRESSION, JINJA_LOOP, PLACEHOLDERS})
    void stepTwoAndThreePromptsCarryTheInstructionAsWritten(String instruction) {
        for (String language : List.of("en", "zh")) {
            String step2 = prompts.isClassification(language, instruction);
            assertThat(step2).endsWith("Task: " + instruction + "\nIs it classification?");
            for (boolean classification : List.of(true, false)) {
                String step3 = prompts.instances(language, instruction, classification);
                assertThat(step3)
                        .contains("Task: " + instruction + "\n")
                        .doesNotContain("49")
                        .doesNotContain("[1][2]");
            }
        }
    }

    @Test
    void alpacaTrainingTextPutsEachFieldInOnce() {
        String prompt = AlpacaTemplate.prompt(PLACEHOLDERS, JINJA_LOOP);
        assertThat(prompt)
                .contains("### Instruction:\n" + PLACEHOLDERS + "\n")
                .contains("### Input:\n" + JINJA_LOOP + "\n");
        assertThat(prompt.split(java.util.regex.Pattern.quote(JINJA_LOOP), -1))
                .as("the input once")
                .hasSize(2);
        assertThat(AlpacaTemplate.prompt("Say {input}", ""))
                .contains("### Instruction:\nSay {input}\n")
                .doesNotContain("### Input:");
        assertThat(AlpacaTemplate.prompt("Say {{ 7*7 }}", "{instruction}"))
                .contains("Say {{ 7*7 }}\n")
                .contains("### Input:\n{instruction}\n");
    }

    @Test
    void chatTemplatesRenderMessageTextLiterally() {
        ChatTemplate template = new ChatTemplate(
                "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}"
                        + "{% if add_generation_prompt %}<|assistant|>{% endif %}",
                "<s>", "</s>");
        String rendered = template.render(
                List.of(
                        new ChatTemplate.Message("user", JINJA_EXPRESSION + " " + JINJA_LOOP),
                        new ChatTemplate.Message("assistant", PLACEHOLDERS)),
                true);
        assertThat(rendered)
                .isEqualTo("<|user|>" + JINJA_EXPRESSION + " " + JINJA_LOOP + "</s><|assistant|>" + PLACEHOLDERS
                        + "</s><|assistant|>");
    }
}
