package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a model keeps its chat template, and what the renderer does beyond the jinja2 cases. */
class ChatTemplateTest {

    static final List<ChatTemplate.Message> HI = List.of(new ChatTemplate.Message("user", "Hi"));

    @TempDir
    Path model;

    @Test
    void chatTemplateJinjaComesBeforeChatTemplateJsonBeforeTokenizerConfig() throws IOException {
        assertThat(ChatTemplate.read(model)).isEmpty();
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\"}");
        assertThat(ChatTemplate.read(model)).contains("config");
        Files.writeString(model.resolve("chat_template.json"), "{\"chat_template\": \"json\"}");
        assertThat(ChatTemplate.read(model)).contains("json");
        Files.writeString(model.resolve("chat_template.jinja"), "jinja\n");
        assertThat(ChatTemplate.read(model)).contains("jinja\n");
    }

    @Test
    void aNamedListOfTemplatesGivesItsDefault() throws IOException {
        Files.writeString(
                model.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"},"
                        + " {\"name\": \"default\", \"template\": \"plain\"}]}");
        assertThat(ChatTemplate.read(model)).contains("plain");
        Files.writeString(model.resolve("chat_template.json"), "{\"other\": 1}");
        assertThat(ChatTemplate.read(model))
                .as("a chat_template.json without one")
                .contains("plain");
    }

    @Test
    void anUnreadableTemplateFileNamesTheModel() throws IOException {
        Files.writeString(model.resolve("chat_template.json"), "{not json");
        assertThatThrownBy(() -> ChatTemplate.read(model))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(model.toString());
    }

    @Test
    void theTokenizerRendersTheDiscoveredTemplateWithItsSpecialTokens() throws IOException {
        for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
            try (InputStream in = getClass().getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                Files.copy(in, model.resolve(file));
            }
        }
        Files.writeString(
                model.resolve("chat_template.json"),
                "{\"chat_template\": \"{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"
                        + "{% if add_generation_prompt %}{{ eos_token }}{% endif %}\"}");
        try (ModelTokenizer tokenizer = ModelTokenizer.load(model)) {
            assertThat(tokenizer.chatTemplate().orElseThrow().render(HI, true)).isEqualTo("<s>Hi</s>");
            // golden-small.json: "Hello world" with bos; apply_chat_template adds no special tokens of its own
            assertArrayEquals(
                    new long[] {1, 75, 319, 361, 281, 328, 111, 103, 2},
                    tokenizer.encodeChat(List.of(new ChatTemplate.Message("user", "Hello world"))));
        }
    }

    @Test
    void strftimeNowIsTheClocksLocalTime() {
        Clock newYearInParis = Clock.fixed(Instant.parse("2024-12-31T23:30:00Z"), ZoneOffset.ofHours(1));
        ChatTemplate template = new ChatTemplate("{{ strftime_now('%d %b %Y %H:%M') }}", null, null, newYearInParis);
        assertThat(template.render(HI, false)).isEqualTo("01 Jan 2025 00:30");
    }

    @Test
    void templateArgsOverrideTheSpecialTokensButNotTheConversation() {
        ChatTemplate template = new ChatTemplate("{{ bos_token }}|{{ date_string }}", "<s>", "</s>");
        assertThat(template.render(HI, false, Map.of("bos_token", "<B>", "date_string", "26 Jul 2024")))
                .isEqualTo("<B>|26 Jul 2024");
        assertThatThrownBy(() -> template.render(HI, false, Map.of("add_generation_prompt", true)))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("add_generation_prompt is not an extra template variable");
    }

    @Test
    void aTemplateThatCannotBeRenderedSaysSo() {
        assertThatThrownBy(() -> new ChatTemplate("{{ messages[0].content.split('') }}", null, null).render(HI, false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template failed: empty separator");
        assertThatThrownBy(() -> new ChatTemplate("{% for m in messages %}{{ m.content", null, null).render(HI, false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template failed: ");
    }

    @Test
    void theFirstRaiseWins() {
        ChatTemplate template = new ChatTemplate(
                "{% for m in messages %}{{ raise_exception('first ' ~ m.content) }}{% endfor %}"
                        + "{{ raise_exception('second') }}",
                null, null);
        assertThatThrownBy(() -> template.render(HI, false)).hasMessage("first Hi");
    }
}
