package io.selfinstruct.web.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.ModelRuntime;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.util.HtmlUtils;

/** The playground answers with two served models side by side, as /v1 would, and shows the text escaped. */
@SpringBootTest
@AutoConfigureMockMvc
class PlaygroundPageTest {

    static final Path ROOT = tempRoot();
    static final Path BASE = ROOT.resolve("tiny-llama/model");

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
        registry.add("selfinstruct.serve.aliases.other", () -> "tiny-llama/model");
    }

    @BeforeAll
    static void writeModel() throws IOException {
        for (String file : new String[] {
            "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"
        }) {
            Files.createDirectories(BASE);
            try (InputStream in = PlaygroundPageTest.class.getResourceAsStream("/golden/tiny-llama/model/" + file)) {
                Files.copy(in, BASE.resolve(file));
            }
        }
        Files.writeString(
                BASE.resolve("chat_template.jinja"),
                "{% for m in messages %}<|{{ m.role }}|> {{ m.content }}\n{% endfor %}<|assistant|>");
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    ModelRuntime runtime;

    @Test
    void twoModelsAnswerSideBySideAsText() throws Exception {
        String page = mvc.perform(get("/admin/playground").with(user("admin")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page).contains("<option value=\"tiny-llama/model\">").contains("<option value=\"other\">");

        String message = "<script>alert(1)</script> Hi";
        String answer = mvc.perform(post("/admin/playground")
                        .param("modelA", "tiny-llama/model")
                        .param("modelB", "other")
                        .param("message", message)
                        .param("maxTokens", "12")
                        .param("temperature", "0")
                        .with(user("admin"))
                        .with(csrf()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String expected = runtime.withModel(
                BASE,
                null,
                loaded -> ModelRuntime.generate(
                                loaded,
                                loaded.tokenizer()
                                        .encodeWithoutSpecialTokens("<|user|> " + message + "\n<|assistant|>"),
                                GenerationOptions.greedy(12, loaded.eosTokenIds()))
                        .text());
        assertThat(answer)
                .contains("id=\"reply-0\"")
                .contains("id=\"reply-1\"")
                .contains("<pre class=\"answer\">" + HtmlUtils.htmlEscape(expected) + "</pre>")
                .doesNotContain("<script>alert(1)</script>");

        String unknown = mvc.perform(post("/admin/playground")
                        .param("modelA", "no-such-model")
                        .param("message", "Hi")
                        .with(user("admin"))
                        .with(csrf()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(unknown).contains("no-such-model").contains("does not exist");
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("playground-models").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
