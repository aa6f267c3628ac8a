package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hand-written templates, one jinja2 feature each (whitespace control, precedence, loop controls, namespace,
 * string methods, tojson, raise_exception, hostile message text), against what jinja2 3.1 renders with
 * transformers' settings: {@code chat-templates/jinja2-cases.json}, written by {@code jinja2_cases.py} beside it.
 */
class ChatTemplateSemanticsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The day jinja2_cases.py pins strftime_now to. */
    static final Clock JULY_26_2024 = Clock.fixed(Instant.parse("2024-07-26T10:00:00Z"), ZoneOffset.UTC);

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in =
                ChatTemplateSemanticsTest.class.getResourceAsStream("/chat-templates/jinja2-cases.json")) {
            List<Arguments> cases = new ArrayList<>();
            JSON.readTree(in).properties().forEach(e -> cases.add(Arguments.of(e.getKey(), e.getValue())));
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsJinja2WithTransformersSettings(String name, JsonNode c) {
        ChatTemplate template = new ChatTemplate(
                c.path("template").asString(), text(c.path("bos_token")), text(c.path("eos_token")), JULY_26_2024);
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (JsonNode m : c.path("messages").values()) {
            messages.add(new ChatTemplate.Message(
                    m.path("role").asString(), m.path("content").asString()));
        }
        Map<String, Object> args = JSON.convertValue(c.path("template_args"), Map.class);
        boolean addGenerationPrompt = c.path("add_generation_prompt").asBoolean();
        if (c.path("expected").isNull()) {
            assertThatThrownBy(() -> template.render(messages, addGenerationPrompt, args))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessage(c.path("error").asString());
        } else {
            assertThat(template.render(messages, addGenerationPrompt, args))
                    .isEqualTo(c.path("expected").asString());
        }
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }
}
