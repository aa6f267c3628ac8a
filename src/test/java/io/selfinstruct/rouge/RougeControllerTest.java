package io.selfinstruct.rouge;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@SpringBootTest
@AutoConfigureMockMvc
class RougeControllerTest {

    @Autowired
    MockMvc mvc;

    private ResultActions postJson(String path, String body) throws Exception {
        return mvc.perform(post(path)
                .header("X-API-Key", "test-key")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    @Test
    void scoresPairsWithATargetAndAPrediction() throws Exception {
        postJson("/api/rouge/score", """
                {"pairs":[{"a":"a b c d e f g h","b":"a b c d e f g p q r s t"},{"a":"","b":"x"}]}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(2))
                .andExpect(jsonPath("$[0].precision").value(0.5833333333333334))
                .andExpect(jsonPath("$[0].recall").value(0.875))
                .andExpect(jsonPath("$[0].fmeasure").value(0.7000000000000001))
                .andExpect(jsonPath("$[1].fmeasure").value(0.0));
    }

    @Test
    void scoresWithTheCjkTokenizerWhenAsked() throws Exception {
        postJson("/api/rouge/score", """
                {"pairs":[{"a":"今天天气很好","b":"今天天气很好"}],"tokenizer":"cjk"}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].fmeasure").value(1.0));
    }

    @Test
    void dedupKeepsIndicesInOrder() throws Exception {
        postJson("/api/rouge/dedup", """
                {"instructions":["Write a poem about the sea.","write a poem about the sea!","List three colors.",
                "写一首诗","写一首诗。"],"threshold":0.7,"tokenizer":"cjk"}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.kept").value(Matchers.contains(0, 2, 3)))
                .andExpect(jsonPath("$.millis").isNumber());
    }

    @Test
    void dedupThresholdDefaultsToSevenTenths() throws Exception {
        // F exactly 0.7: kept
        postJson("/api/rouge/dedup", """
                {"instructions":["a b c d e f g h i j","a b c d e f g x y z"]}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.kept").value(Matchers.contains(0, 1)));
        // F computed as 0.7000000000000001: rejected
        postJson("/api/rouge/dedup", """
                {"instructions":["a b c d e f g h","a b c d e f g p q r s t"]}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.kept").value(Matchers.contains(0)));
    }

    @Test
    void badInputGetsAClear400() throws Exception {
        postJson("/api/rouge/score", "{\"pairs\":[]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("'pairs' must be a non-empty list")));
        postJson("/api/rouge/score", "{\"pairs\":[{\"a\":\"x\"}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("pairs[0].b is missing")));
        postJson("/api/rouge/dedup", "{\"instructions\":[\"x\"],\"threshold\":1.5}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("between 0 and 1")));
        postJson("/api/rouge/dedup", "{\"instructions\":[\"x\"],\"tokenizer\":\"porter\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("'tokenizer' must be 'default' or 'cjk', got 'porter'"));
        postJson("/api/rouge/dedup", "{\"threshold\":0.7}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("'instructions' must be a list")));
        postJson("/api/rouge/dedup", "{\"instructions\":[\"ok\", null]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("instructions[1] is missing")));
        postJson("/api/rouge/dedup", "{\"instructions\": 5}").andExpect(status().isBadRequest());
    }

    @Test
    void sizeLimitsAreEnforced() throws Exception {
        String longText = "x".repeat(RougeController.MAX_TEXT_CHARS + 1);
        postJson("/api/rouge/dedup", "{\"instructions\":[\"" + longText + "\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail")
                        .value(Matchers.containsString("at most " + RougeController.MAX_TEXT_CHARS)));
        StringBuilder pairs = new StringBuilder("{\"pairs\":[");
        for (int i = 0; i <= RougeController.MAX_PAIRS; i++) {
            pairs.append(i == 0 ? "" : ",").append("{\"a\":\"\",\"b\":\"\"}");
        }
        postJson("/api/rouge/score", pairs.append("]}").toString())
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("at most " + RougeController.MAX_PAIRS)));
    }

    @Test
    void needsTheApiKey() throws Exception {
        mvc.perform(post("/api/rouge/score")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"pairs\":[]}"))
                .andExpect(status().isUnauthorized());
    }
}
