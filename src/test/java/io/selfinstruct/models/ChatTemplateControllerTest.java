package io.selfinstruct.models;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * {@code POST /api/models/chat-template} over the golden tiny-llama tokenizer, once with a chat_template.jinja
 * beside it (a hand-written template) and once without any chat template. The expected ids are the golden
 * tokenization cases' (transformers' ids of the same text with bos), so the prompt and its ids are checked
 * against what transformers gives.
 */
@SpringBootTest
@AutoConfigureMockMvc
class ChatTemplateControllerTest {

    static final Path ROOT = tempRoot();
    static final Path CHAT = ROOT.resolve("tiny-llama-chat");
    static final Path PLAIN = ROOT.resolve("tiny-llama-plain");

    /** bos, then an optional prefix variable, then the messages; refuses system messages. */
    static final String TEMPLATE = """
            {{ bos_token }}
            {%- if prefix is defined %}{{ prefix }}{% endif %}
            {% for message in messages %}
                {% if message['role'] == 'system' %}
                    {{- raise_exception('System messages are not supported by this model') }}
                {% endif %}
                {{- message['content'] }}
            {%- endfor %}
            {% if add_generation_prompt %}
                {{- ' ' + eos_token }}
            {%- endif %}
            """;

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
    }

    @BeforeAll
    static void writeModels() throws IOException {
        for (Path model : new Path[] {CHAT, PLAIN}) {
            Files.createDirectories(model);
            for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                try (InputStream in =
                        ChatTemplateControllerTest.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                    Files.copy(in, model.resolve(file));
                }
            }
        }
        Files.writeString(CHAT.resolve("chat_template.jinja"), TEMPLATE);
    }

    @Test
    void rendersThePromptAndItsIdsAsTransformersTokenizesThem() throws Exception {
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello world\"}]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.prompt").value("<s>Hello world"))
                // golden-small.json: "Hello world" with bos
                .andExpect(jsonPath("$.inputIds", contains(1, 75, 319, 361, 281, 328, 111, 103)));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                        + " \"addGenerationPrompt\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.prompt").value("<s>Hi </s>"));
    }

    @Test
    void templateArgsAreTemplateVariables() throws Exception {
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [],"
                        + " \"templateArgs\": {\"prefix\": \"The quick brown fox jumps over the lazy dog.\"}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.prompt").value("<s>The quick brown fox jumps over the lazy dog."))
                .andExpect(jsonPath(
                        "$.inputIds",
                        contains(
                                1, 296, 35, 305, 108, 344, 277, 272, 122, 113, 278, 114, 123, 35, 109, 120, 303, 118,
                                280, 374, 263, 279, 100, 125, 124, 287, 114, 106, 49)));
    }

    @Test
    void messageTextIsNeverInterpreted() throws Exception {
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"user\","
                        + " \"content\": \"{{ 7*7 }} {% if true %}x{% endif %} {{ raise_exception('no') }}\"}]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.prompt")
                        .value("<s>{{ 7*7 }} {% if true %}x{% endif %} {{ raise_exception('no') }}"));
    }

    @Test
    void aTemplateThatRefusesTheConversationIs400WithItsMessage() throws Exception {
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                        + " {\"role\": \"user\", \"content\": \"Hi\"}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("System messages are not supported by this model"));
    }

    @Test
    void badRequestsAre400() throws Exception {
        String hi = "[{\"role\": \"user\", \"content\": \"Hi\"}]";
        post("{\"baseModel\": \"" + ROOT + "/missing\", \"messages\": " + hi + "}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("is not a directory")));
        post("{\"baseModel\": \"/etc\", \"messages\": " + hi + "}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("outside the configured model roots")));
        post("{\"messages\": " + hi + "}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("baseModel is required")));
        post("{\"baseModel\": \"" + PLAIN + "\", \"messages\": " + hi + "}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("has no chat template")));
        post("{\"baseModel\": \"" + CHAT + "\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("messages is required")));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": {\"role\": \"user\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("messages must be a list")));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": 5, \"content\": \"Hi\"}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("messages[0].role must be a string"));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"user\"}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("messages[0].content must be a string"));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [\"Hi\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("messages[0] must be an object"));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\","
                        + " \"tool_calls\": []}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("holds only role and content")));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": " + hi + ", \"templateArgs\": {\"messages\": []}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("messages is not an extra template variable")));
        post("{\"baseModel\": \"" + CHAT + "\", \"messages\": " + hi + ", \"templateArgs\": [1]}")
                .andExpect(status().isBadRequest());
    }

    private ResultActions post(String json) throws Exception {
        return mvc.perform(
                org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post("/api/models/chat-template")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json));
    }

    private static Path tempRoot() {
        try {
            Path root = Files.createTempDirectory("chat-template-root");
            root.toFile().deleteOnExit();
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
