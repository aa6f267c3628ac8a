package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.selfinstruct.finetune.data.AlpacaTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Tokenizer against the golden tokenization cases; Alpaca and Jinja chat templates. */
class PromptingTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-llama3-rope"})
    void tokenizerJsonAgreesWithGoldenCases(String name) {
        Golden golden = Golden.of(name);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(golden.modelDir())) {
            JsonNode cases = golden.json().path("tokenization").path("cases");
            assertEquals(6, cases.size());
            for (JsonNode c : cases.values()) {
                long[] expected = Golden.ids(c.path("input_ids_with_bos"));
                long[] ids = tokenizer.encode(c.path("text").asString());
                assertArrayEquals(expected, ids, c.path("text").asString());
                assertEquals(c.path("decoded_skip_special").asString(), tokenizer.decode(ids));
            }
            assertEquals(2L, tokenizer.eosTokenId().orElseThrow());
        }
    }

    @Test
    void alpacaPromptsMatchTheAlpacaLoraTemplates() {
        assertEquals(
                "Below is an instruction that describes a task. Write a response that appropriately completes"
                        + " the request.\n\n### Instruction:\nName a colour.\n\n### Response:\n",
                AlpacaTemplate.prompt("Name a colour.", ""));
        assertThat(AlpacaTemplate.prompt("Translate.", "chat"))
                .startsWith("Below is an instruction that describes a task, paired with an input")
                .endsWith("### Instruction:\nTranslate.\n\n### Input:\nchat\n\n### Response:\n");
        assertEquals("Blue.", AlpacaTemplate.response(AlpacaTemplate.prompt("Name a colour.", null) + " Blue.\n"));
    }

    static final List<ChatTemplate.Message> CHAT =
            List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "  Hi there \n"));

    @Test
    void llama3ChatTemplate() {
        String llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
                + "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
                + "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
                + "{{ content }}{% endfor %}{% if add_generation_prompt %}"
                + "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        String rendered = new ChatTemplate(llama3, "<|begin_of_text|>", "<|eot_id|>").render(CHAT, true);
        assertEquals(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                rendered);
    }

    @Test
    void qwen2ChatTemplateAddsTheDefaultSystemPrompt() {
        String qwen = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
                + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
                + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        String rendered = new ChatTemplate(qwen, null, "<|im_end|>")
                .render(List.of(new ChatTemplate.Message("user", "Hi")), true);
        assertEquals(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n",
                rendered);
    }

    @Test
    void internLm2ChatTemplateAndRaiseException() {
        String internlm = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'tool' %}"
                + "{{ raise_exception('no tools') }}{% endif %}"
                + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
                + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        ChatTemplate template = new ChatTemplate(internlm, "<s>", "</s>");
        assertEquals(
                "<s><|im_start|>user\nHi<|im_end|>\n",
                template.render(List.of(new ChatTemplate.Message("user", "Hi")), false));
        assertThatThrownBy(() -> template.render(List.of(new ChatTemplate.Message("tool", "x")), true))
                .hasMessageContaining("no tools");
    }
}
