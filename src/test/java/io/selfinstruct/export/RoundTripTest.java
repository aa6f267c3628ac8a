package io.selfinstruct.export;

import static io.selfinstruct.export.ExportApi.array;
import static io.selfinstruct.export.ExportApi.lines;
import static io.selfinstruct.export.ExportApi.unzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;

/** Whatever the text holds, an export read back by import gives the same records, character for character. */
@SpringBootTest(properties = {"selfinstruct.import.max-bytes=200000", "selfinstruct.import.max-field-chars=5000"})
@AutoConfigureMockMvc
class RoundTripTest {

    /** Each string is a hazard for a hand-written JSON writer or a line-based reader. */
    static final List<ExportRecord> TRICKY = List.of(
            new ExportRecord("Quote \"this\" and 'that'", "back\\slash \\n not a newline \\u0041", "C:\\path\\"),
            new ExportRecord("Lines\nand\r\nreturns\rand\ttabs", "  leading and trailing spaces  ", "\n"),
            new ExportRecord("Emoji 😀👍🏽 and flags 🇫🇷", "", "family 👨‍👩‍👧 (ZWJ)"),
            new ExportRecord("写一首关于秋天的诗", "日本語のテキスト、한국어", "秋风萧瑟天气凉，草木摇落露为霜。"),
            new ExportRecord("Line separator\u2028and paragraph separator\u2029inside", "\u2028", "js\u2029"),
            new ExportRecord("Control \u0001\u001f and DEL \u007f", "</script><!--", "{instruction} {input} {output}"),
            new ExportRecord("[1, 2] {\"json\": \"inside\"}", "null", "true"),
            new ExportRecord(
                    "Explain {{ 7*7 }} and {% for x in y %}{{ x }}{% endfor %}",
                    "{input} ${input}", "{instruction} {{ instruction }}"));

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    ExportApi api;
    PoolFixture pool;

    @BeforeEach
    void poolOfTrickyRecords() {
        api = new ExportApi(mvc);
        pool = new PoolFixture(jdbc);
        pool.clear();
        for (ExportRecord r : TRICKY) {
            pool.accepted(r.instruction(), r.input(), r.output());
        }
    }

    @Test
    void alpacaExportImportsBackExactly() throws Exception {
        byte[] exported = api.download("format=alpaca").getContentAsByteArray();
        assertThat(records(array(exported))).isEqualTo(TRICKY);

        assertThat(reimportAndExport(exported, "format=alpaca", true)).isEqualTo(TRICKY);
    }

    @Test
    void jsonlExportImportsBackExactly() throws Exception {
        byte[] exported = api.download("format=jsonl").getContentAsByteArray();
        assertThat(records(lines(exported))).isEqualTo(TRICKY);

        assertThat(reimportAndExport(exported, "format=jsonl", false)).isEqualTo(TRICKY);
    }

    @Test
    void selfInstructInstancesImportBackExactlyAndPairsKeepTheStrippedText() throws Exception {
        var entries = unzip(api.download("format=self-instruct").getContentAsByteArray());
        byte[] instances = entries.get("all_generated_instances.jsonl");
        assertThat(reimportAndExport(instances, "format=jsonl", false)).isEqualTo(TRICKY);

        List<JsonNode> pairs = lines(entries.get("gpt3_finetuning_data_" + TRICKY.size() + ".jsonl"));
        assertThat(pairs).hasSize(TRICKY.size());
        for (ExportRecord r : TRICKY) {
            assertThat(pairs).anySatisfy(p -> {
                assertThat(p.get("prompt").asString()).contains(r.instruction().strip());
                assertThat(p.get("completion").asString()).contains(r.output().strip());
            });
        }
    }

    @Test
    void chatFormatsCarryTheTextExactly() throws Exception {
        List<JsonNode> chat = lines(api.download("format=openai-chat").getContentAsByteArray());
        List<JsonNode> shareGpt = lines(api.download("format=sharegpt").getContentAsByteArray());
        assertThat(chat).hasSize(TRICKY.size());
        assertThat(shareGpt).hasSize(TRICKY.size());
        for (int i = 0; i < TRICKY.size(); i++) {
            ExportRecord r = TRICKY.get(i);
            String user = r.input().isEmpty() ? r.instruction() : r.instruction() + "\n\n" + r.input();
            assertThat(chat.get(i).get("messages").get(1).get("content").asString())
                    .isEqualTo(user);
            assertThat(chat.get(i).get("messages").get(2).get("content").asString())
                    .isEqualTo(r.output());
            assertThat(shareGpt.get(i).get("conversations").get(0).get("value").asString())
                    .isEqualTo(user);
            assertThat(shareGpt.get(i).get("conversations").get(1).get("value").asString())
                    .isEqualTo(r.output());
        }
    }

    /** Empties the pool, imports the file, and exports the imported records again. */
    private List<ExportRecord> reimportAndExport(byte[] file, String exportQuery, boolean array) throws Exception {
        pool.clear();
        mvc.perform(post("/api/import?dedup=false&strict=true")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.imported").value(TRICKY.size()));
        byte[] again = api.download(exportQuery + "&origin=IMPORTED").getContentAsByteArray();
        return records(array ? array(again) : lines(again));
    }

    static List<ExportRecord> records(List<JsonNode> nodes) {
        List<ExportRecord> records = new ArrayList<>();
        for (JsonNode n : nodes) {
            records.add(new ExportRecord(
                    n.get("instruction").asString(),
                    n.get("input").asString(),
                    n.get("output").asString()));
        }
        return records;
    }
}
