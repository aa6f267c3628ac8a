package io.selfinstruct.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.rouge.RougeIndex;
import io.selfinstruct.rouge.RougeTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.JsonNode;

@SpringBootTest(properties = {"selfinstruct.import.max-bytes=200000", "selfinstruct.import.max-field-chars=5000"})
@AutoConfigureMockMvc
class ImportControllerTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    PoolFixture pool;

    @BeforeEach
    void emptyPool() {
        pool = new PoolFixture(jdbc);
        pool.clear();
    }

    @Test
    void alpacaArrayBecomesAcceptedImportedInstructionsWithOneInstanceEach() throws Exception {
        importJson("?dedup=false", """
                [{"instruction": "Name three primary colors.", "input": "", "output": "Red, yellow and blue."},
                 {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"},
                 {"instruction": "Say hi.", "output": "Hi!", "extra": "ignored"}]""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(3))
                .andExpect(jsonPath("$.skippedDuplicates").isEmpty())
                .andExpect(jsonPath("$.invalid").isEmpty());

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT i.text, i.origin, i.status, i.language, n.input, "
                + "n.output, n.status AS instance_status, n.position FROM instruction i JOIN instance n "
                + "ON n.instruction_id = i.id ORDER BY i.id");
        assertThat(rows).hasSize(3);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.get("ORIGIN")).isEqualTo("IMPORTED");
            assertThat(r.get("STATUS")).isEqualTo("ACCEPTED");
            assertThat(r.get("INSTANCE_STATUS")).isEqualTo("ACCEPTED");
            assertThat(r.get("LANGUAGE")).isEqualTo("en");
            assertThat(r.get("POSITION")).isEqualTo(0);
        });
        assertThat(rows.get(1).get("INPUT")).isEqualTo("Good morning");
        assertThat(rows.get(2).get("INPUT")).isEqualTo("");
        assertThat(rows.get(2).get("OUTPUT")).isEqualTo("Hi!");
    }

    @Test
    void jsonlReportsBadLinesByNumberAndImportsTheRest() throws Exception {
        String body = """
                {"instruction": "Name three primary colors.", "input": "", "output": "Red, yellow and blue."}

                {"instruction": "Broken", "output": "no closing brace"
                {"instruction": 5, "input": [1], "output": null}
                ["not", "an", "object"]
                {"instruction": "   ", "output": "empty instruction"}
                {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"}
                """;
        mvc.perform(post("/api/import?dedup=false")
                        .header("X-API-Key", "test-key")
                        .contentType("application/x-ndjson")
                        .content(body))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(2))
                .andExpect(jsonPath("$.invalid.length()").value(4))
                .andExpect(jsonPath("$.invalid[0].line").value(3))
                .andExpect(jsonPath("$.invalid[0].index").value(1))
                .andExpect(jsonPath("$.invalid[0].message").value(Matchers.startsWith("malformed JSON at column ")))
                .andExpect(jsonPath("$.invalid[1].line").value(4))
                .andExpect(jsonPath("$.invalid[1].message")
                        .value("instruction must be a string, not a number; "
                                + "input must be a string, not an array; output is missing"))
                .andExpect(jsonPath("$.invalid[2].line").value(5))
                .andExpect(jsonPath("$.invalid[2].message").value(Matchers.startsWith("the record is an array")))
                .andExpect(jsonPath("$.invalid[3].line").value(6))
                .andExpect(jsonPath("$.invalid[3].message").value("instruction is empty"));
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void multipartFileIsImported() throws Exception {
        MockMultipartFile file = new MockMultipartFile(
                "file",
                "alpaca_data.json",
                "application/json",
                "[{\"instruction\":\"Say hi.\",\"input\":\"\",\"output\":\"Hi!\"}]".getBytes(StandardCharsets.UTF_8));
        mvc.perform(multipart("/api/import").file(file).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(1));
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void dedupSkipsRecordsSimilarToThePoolOrToEarlierRecords() throws Exception {
        pool.accepted("Write a poem about the sea.", "", "Waves...");
        String records = """
                [{"instruction": "Write a poem about the sea!", "input": "", "output": "a"},
                 {"instruction": "Summarize the article in three sentences.", "input": "x", "output": "b"},
                 {"instruction": "Summarize this article in three sentences.", "input": "y", "output": "c"},
                 {"instruction": "List the planets of the solar system.", "input": "", "output": "d"}]""";

        importJson("", records)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(2))
                .andExpect(jsonPath("$.skippedDuplicates.length()").value(2))
                .andExpect(jsonPath("$.skippedDuplicates[0].index").value(0))
                .andExpect(jsonPath("$.skippedDuplicates[0].reason").value(Matchers.containsString("pool")))
                .andExpect(jsonPath("$.skippedDuplicates[0].similarTo").value("Write a poem about the sea."))
                .andExpect(jsonPath("$.skippedDuplicates[0].score").value(1.0))
                .andExpect(jsonPath("$.skippedDuplicates[1].index").value(2))
                .andExpect(jsonPath("$.skippedDuplicates[1].reason").value(Matchers.containsString("record 1")))
                .andExpect(
                        jsonPath("$.skippedDuplicates[1].similarTo").value("Summarize the article in three sentences."))
                .andExpect(jsonPath("$.skippedDuplicates[1].score").value(Matchers.closeTo(5.0 / 6, 1e-9)));
        assertThat(jdbc.queryForList(
                        "SELECT text FROM instruction WHERE origin = 'IMPORTED' ORDER BY id", String.class))
                .containsExactly("Summarize the article in three sentences.", "List the planets of the solar system.");

        pool.clear();
        importJson("?threshold=0.9", records).andExpect(jsonPath("$.imported").value(4));
    }

    @Test
    void blockwiseParallelDedupKeepsWhatTheSequentialGreedyLoopKeeps() throws Exception {
        String[] words = {"write", "a", "poem", "story", "about", "the", "sea", "sky", "cats", "list", "three", "facts"
        };
        Random random = new Random(5);
        List<String> poolTexts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            poolTexts.add(sentence(words, random));
            pool.accepted(poolTexts.get(i), "", "out");
        }
        List<String> texts = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            texts.add(sentence(words, random));
            body.append("{\"instruction\": \"").append(texts.get(i)).append("\", \"output\": \"o\"}\n");
        }
        RougeIndex sequential = new RougeIndex(RougeTokenizer.DEFAULT);
        poolTexts.forEach(sequential::add);
        List<String> expected = new ArrayList<>();
        for (String text : texts) {
            if (!sequential.anyAbove(text, 0.7)) {
                sequential.add(text);
                expected.add(text);
            }
        }
        assertThat(expected.size()).isBetween(20, 680);

        mvc.perform(post("/api/import")
                        .header("X-API-Key", "test-key")
                        .contentType("application/x-ndjson")
                        .content(body.toString()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(expected.size()))
                .andExpect(jsonPath("$.skippedDuplicates.length()").value(700 - expected.size()));
        assertThat(jdbc.queryForList(
                        "SELECT text FROM instruction WHERE origin = 'IMPORTED' ORDER BY id", String.class))
                .isEqualTo(expected);
    }

    private static String sentence(String[] words, Random random) {
        int length = 3 + random.nextInt(6);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
        }
        return text.toString();
    }

    @Test
    void chineseDedupUsesTheCjkTokenizer() throws Exception {
        String records = """
                [{"instruction": "写一首关于大海的诗", "input": "", "output": "a"},
                 {"instruction": "写一首关于大海的诗。", "input": "", "output": "b"}]""";
        importJson("?language=zh", records)
                .andExpect(jsonPath("$.imported").value(1))
                .andExpect(jsonPath("$.skippedDuplicates[0].index").value(1));
        assertThat(jdbc.queryForList("SELECT DISTINCT language FROM instruction", String.class))
                .containsExactly("zh");
        importJson("?language=en", records).andExpect(jsonPath("$.imported").value(2));
    }

    @Test
    void strictRefusesTheWholeImportNamingTheInvalidRecord() throws Exception {
        importJson("?strict=true", """
                [{"instruction": "Fine.", "input": "", "output": "ok"},
                 {"instruction": "", "input": "", "output": "no instruction"}]""")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("record 1: instruction is empty")))
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("nothing was imported")))
                .andExpect(jsonPath("$.invalid[0].index").value(1));
        assertThat(count()).isZero();
    }

    @Test
    void malformedJsonIs400WithItsPosition() throws Exception {
        importJson("", "[{\"instruction\": \"a\", \"output\": \"b\"},\n {\"instruction\": \"c\" \"output\": \"d\"}]")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("Malformed JSON at line 2, column 22")));
        importJson("", "[{\"instruction\": \"a\", \"output\": \"b\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("Malformed JSON")));
        importJson("", "[{\"instruction\": \"a\", \"output\": \"b\"}] trailing")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("line 1")));
        importJson("", "hello")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("alpaca JSON array")));
        importJson("", "  \n ")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("empty")));
        assertThat(count()).isZero();
    }

    @Test
    void badParametersAre400() throws Exception {
        importJson("?language=fr", "[]")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("language must be en or zh")));
        importJson("?threshold=1.5", "[]").andExpect(status().isBadRequest());
        importJson("?dedup=maybe", "[]").andExpect(status().isBadRequest());
    }

    @Test
    void oversizedFieldsAreInvalidAndOversizedBodiesAre413() throws Exception {
        String longOutput = "x".repeat(5001);
        importJson("", "[{\"instruction\": \"Long\", \"output\": \"" + longOutput + "\"}]")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.invalid[0].message")
                        .value("output has 5001 characters, more than the limit of 5000"));

        String huge = "[" + "{\"instruction\": \"a\", \"output\": \"b\"},".repeat(10_000) + "{}]";
        importJson("", huge)
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("200000 bytes")));
        assertThat(count()).isZero();
    }

    private ResultActions importJson(String query, String body) throws Exception {
        return mvc.perform(post("/api/import" + query)
                .header("X-API-Key", "test-key")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body.getBytes(StandardCharsets.UTF_8)));
    }

    private int count() {
        return jdbc.queryForObject("SELECT count(*) FROM instruction", Integer.class);
    }

    static JsonNode json(String text) {
        return ExportApi.JSON.readTree(text);
    }
}
