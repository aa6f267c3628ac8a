package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every conversation of {@code ../shared/data/chat_templates/goldens.json} (real templates of eleven model
 * families, rendered by transformers' {@code apply_chat_template}) renders character for character the same, or
 * refuses with transformers' message. Third-party files: read from ../shared, skipped where it is absent.
 */
class ChatTemplateGoldenTest {

    static final Path DATA = Path.of("../shared/data/chat_templates");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static Stream<Arguments> goldens() throws IOException {
        Path file = DATA.resolve("goldens.json");
        if (!Files.isRegularFile(file)) {
            return Stream.of(Arguments.of("absent", null));
        }
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : JSON.readTree(Files.readString(file)).values()) {
            cases.add(Arguments.of(
                    c.path("template").asString() + " (" + c.path("case").asString() + ")", c));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void rendersAsTransformers(String name, JsonNode golden) throws IOException {
        Assumptions.assumeTrue(golden != null, "../shared/data/chat_templates is absent");
        String source = Files.readString(
                DATA.resolve("templates/" + golden.path("template").asString() + ".jinja"));
        ChatTemplate template =
                new ChatTemplate(source, text(golden.path("bos_token")), text(golden.path("eos_token")));
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (JsonNode m : golden.path("messages").values()) {
            messages.add(new ChatTemplate.Message(
                    m.path("role").asString(), m.path("content").asString()));
        }
        Map<String, Object> args = new LinkedHashMap<>();
        golden.path("template_kwargs")
                .properties()
                .forEach(e -> args.put(e.getKey(), e.getValue().asString()));
        boolean addGenerationPrompt = golden.path("add_generation_prompt").asBoolean();

        if (golden.path("expected").isNull()) {
            String error = golden.path("error").asString();
            assertThatThrownBy(() -> template.render(messages, addGenerationPrompt, args))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessage(error);
        } else {
            assertThat(template.render(messages, addGenerationPrompt, args))
                    .isEqualTo(golden.path("expected").asString());
        }
    }

    @Test
    void everyTemplateHasItsFiveConversations() throws IOException {
        Path file = DATA.resolve("goldens.json");
        Assumptions.assumeTrue(Files.isRegularFile(file), "../shared/data/chat_templates is absent");
        assertThat(JSON.readTree(Files.readString(file)).size()).isEqualTo(55);
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }
}
