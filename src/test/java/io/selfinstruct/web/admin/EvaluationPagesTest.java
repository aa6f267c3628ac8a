package io.selfinstruct.web.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.evaluate.Evaluations;
import io.selfinstruct.support.JudgeScripts;
import io.selfinstruct.support.ScriptedLlmServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.json.JsonMapper;

/** The evaluations pages: the list with its bars, and the items, whose LLM text is shown escaped. */
@SpringBootTest(properties = "selfinstruct.evaluations.poll-interval=100ms")
@AutoConfigureMockMvc
class EvaluationPagesTest {

    static final String HOSTILE = "<script>alert('pwned')</script><img src=x onerror=alert(1)>";
    static final ScriptedLlmServer hostile =
            ScriptedLlmServer.start(prompt -> ScriptedLlmServer.Answer.stop(HOSTILE + " a long answer"), 0);
    static final ScriptedLlmServer plain = ScriptedLlmServer.start(prompt -> ScriptedLlmServer.Answer.stop("Ok."), 0);
    static final ScriptedLlmServer judge = ScriptedLlmServer.start(new JudgeScripts().longer(), 0);

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", plain::baseUrl);
        registry.add(
                "selfinstruct.llm.allowed-base-urls",
                () -> String.join(",", hostile.baseUrl(), plain.baseUrl(), judge.baseUrl()));
    }

    @AfterAll
    static void stop() {
        hostile.close();
        plain.close();
        judge.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    Evaluations evaluations;

    @Autowired
    JsonMapper json;

    @Test
    void answersAreShownAsEscapedTextAndTheListShowsTheBars() throws Exception {
        long id = evaluations
                .create(json.readTree("""
                        {"models": [{"baseUrl": "%s", "model": "hostile-model"}, {"baseUrl": "%s", "model": "plain"}],
                         "judge": {"baseUrl": "%s", "model": "j"}, "instructions": {"seedSet": "default"}, "limit": 2}""".formatted(hostile.baseUrl(), plain.baseUrl(), judge.baseUrl())))
                .id();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (evaluations.view(id).status().name().matches("QUEUED|RUNNING")) {
            assertThat(Instant.now()).isBefore(deadline);
            Thread.sleep(100);
        }

        String detail = mvc.perform(get("/admin/evaluations/" + id).with(user("admin")))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(detail)
                .doesNotContain("<script>alert")
                .doesNotContain("<img src=x")
                .contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")
                .contains("WIN");

        String list = mvc.perform(get("/admin/evaluations").with(user("admin")))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(list)
                .contains("hostile-model")
                .contains("2 wins, 0 ties, 0 losses")
                .contains("flex:2")
                .contains("1.000 (");
    }
}
