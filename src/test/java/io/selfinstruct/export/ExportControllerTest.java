package io.selfinstruct.export;

import static io.selfinstruct.export.ExportApi.array;
import static io.selfinstruct.export.ExportApi.fieldNames;
import static io.selfinstruct.export.ExportApi.lines;
import static io.selfinstruct.export.ExportApi.unzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;

@SpringBootTest
@AutoConfigureMockMvc
class ExportControllerTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    ExportApi api;
    PoolFixture pool;
    long batchId;

    @BeforeEach
    void pool() {
        api = new ExportApi(mvc);
        pool = new PoolFixture(jdbc);
        pool.clear();
        batchId = pool.batch();
        long first = pool.instruction(
                "Give an example",
                "GENERATED",
                "ACCEPTED",
                batchId,
                "en",
                false,
                Instant.parse("2026-01-10T12:00:00Z"));
        pool.instance(first, "", "out1", "ACCEPTED", 0);
        pool.instance(first, "in2", "out2", "ACCEPTED", 1);
        pool.instance(first, "bad", "filtered out", "REJECTED", 2);
        long imported = pool.instruction(
                "Classify the sentiment",
                "IMPORTED",
                "ACCEPTED",
                null,
                "en",
                true,
                Instant.parse("2026-02-10T12:00:00Z"));
        pool.instance(imported, "Sentence: I love it", "positive", "ACCEPTED", 0);
        long rejected = pool.instruction("Draw a map", "GENERATED", "REJECTED", batchId, "en", false, Instant.now());
        pool.instance(rejected, "", "rejected output", "REJECTED", 0);
        long seedInPool = pool.instruction("Seed in pool", "SEED", "ACCEPTED", null, "en", false, Instant.now());
        pool.instance(seedInPool, "", "seed pool output", "ACCEPTED", 0);
        long chinese = pool.instruction(
                "写一首诗", "GENERATED", "ACCEPTED", null, "zh", false, Instant.parse("2026-03-01T00:00:00Z"));
        pool.instance(chinese, "", "床前明月光", "ACCEPTED", 0);
        pool.seedTask(
                "default",
                "seed_task_0",
                "Seed task",
                "[{\"input\":\"\",\"output\":\"seed out\"}," + "{\"input\":\"a\",\"output\":\"b\"}]",
                false,
                0);
        pool.seedTask("zh", "seed_task_0", "种子任务", "[{\"input\":\"\",\"output\":\"种子\"}]", false, 0);
    }

    @Test
    void alpacaIsOneArrayNamedAlpacaDataWithOneRecordPerAcceptedInstance() throws Exception {
        MockHttpServletResponse response = api.download("format=alpaca");

        assertThat(response.getHeader("Content-Disposition")).isEqualTo("attachment; filename=\"alpaca_data.json\"");
        assertThat(response.getContentType()).startsWith("application/json");
        List<JsonNode> records = array(response.getContentAsByteArray());
        assertThat(records)
                .allSatisfy(r -> assertThat(fieldNames(r)).containsExactly("instruction", "input", "output"));
        assertThat(triples(records))
                .containsExactly(
                        "Give an example||out1", "Give an example|in2|out2",
                        "Classify the sentiment|Sentence: I love it|positive", "写一首诗||床前明月光");
    }

    @Test
    void jsonlHoldsTheSameRecordsOnePerLine() throws Exception {
        MockHttpServletResponse response = api.download("format=jsonl");

        assertThat(response.getHeader("Content-Disposition")).contains("alpaca_data.jsonl");
        String body = response.getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).endsWith("}\n");
        assertThat(body.split("\n")).hasSize(4);
        assertThat(triples(lines(response.getContentAsByteArray())))
                .containsExactly(
                        "Give an example||out1", "Give an example|in2|out2",
                        "Classify the sentiment|Sentence: I love it|positive", "写一首诗||床前明月光");
    }

    @Test
    void filtersChooseTheRecords() throws Exception {
        assertThat(exported("batchId=" + batchId)).containsExactly("Give an example||out1", "Give an example|in2|out2");
        assertThat(exported("origin=IMPORTED")).containsExactly("Classify the sentiment|Sentence: I love it|positive");
        assertThat(exported("origin=seed")).containsExactly("Seed in pool||seed pool output");
        assertThat(exported("classification=true"))
                .containsExactly("Classify the sentiment|Sentence: I love it|positive");
        assertThat(exported("from=2026-02-01&to=2026-02-28"))
                .containsExactly("Classify the sentiment|Sentence: I love it|positive");
        assertThat(exported("to=2026-01-10")).containsExactly("Give an example||out1", "Give an example|in2|out2");
        assertThat(exported("from=2026-02-10T12:00:00Z&to=2026-03-01T00:00:00Z"))
                .containsExactly("Classify the sentiment|Sentence: I love it|positive");
        assertThat(exported("language=zh")).containsExactly("写一首诗||床前明月光");
        assertThat(exported("status=REJECTED")).containsExactly("Draw a map||rejected output");
    }

    @Test
    void includeSeedsAddsEveryInstanceOfTheSeedSet() throws Exception {
        assertThat(exported("includeSeeds=true&language=zh"))
                .containsExactly("写一首诗||床前明月光", "Seed task||seed out", "Seed task|a|b");
        assertThat(exported("includeSeeds=true&seedSet=zh&language=zh")).containsExactly("写一首诗||床前明月光", "种子任务||种子");
        assertThat(exported("includeSeeds=true&classification=true"))
                .containsExactly("Classify the sentiment|Sentence: I love it|positive");
    }

    @Test
    void openAiChatHasSystemUserAndAssistantMessages() throws Exception {
        MockHttpServletResponse response = api.download("format=openai-chat&batchId=" + batchId);

        assertThat(response.getHeader("Content-Disposition")).contains("openai_chat.jsonl");
        List<JsonNode> records = lines(response.getContentAsByteArray());
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(fieldNames(r)).containsExactly("messages"));
        JsonNode withInput = records.get(1).get("messages");
        assertThat(roles(withInput, "role")).containsExactly("system", "user", "assistant");
        assertThat(withInput.get(0).get("content").asString()).isEqualTo(ExportProperties.DEFAULT_SYSTEM_MESSAGE);
        assertThat(withInput.get(1).get("content").asString()).isEqualTo("Give an example\n\nin2");
        assertThat(withInput.get(2).get("content").asString()).isEqualTo("out2");
        assertThat(records.get(0).get("messages").get(1).get("content").asString())
                .isEqualTo("Give an example");

        List<JsonNode> custom = lines(api.download("format=openai-chat&batchId=" + batchId + "&systemMessage=Be brief.")
                .getContentAsByteArray());
        assertThat(custom.get(0).get("messages").get(0).get("content").asString())
                .isEqualTo("Be brief.");
        List<JsonNode> none = lines(api.download("format=openai-chat&systemMessage=&batchId=" + batchId)
                .getContentAsByteArray());
        assertThat(roles(none.get(0).get("messages"), "role")).containsExactly("user", "assistant");
    }

    @Test
    void shareGptHasHumanAndGptTurns() throws Exception {
        MockHttpServletResponse response = api.download("format=sharegpt&batchId=" + batchId);

        assertThat(response.getHeader("Content-Disposition")).contains("sharegpt.jsonl");
        List<JsonNode> records = lines(response.getContentAsByteArray());
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(fieldNames(r)).containsExactly("conversations"));
        JsonNode turns = records.get(1).get("conversations");
        assertThat(roles(turns, "from")).containsExactly("human", "gpt");
        assertThat(fieldNames(turns.get(0))).containsExactly("from", "value");
        assertThat(turns.get(0).get("value").asString()).isEqualTo("Give an example\n\nin2");
        assertThat(turns.get(1).get("value").asString()).isEqualTo("out2");
    }

    @Test
    void selfInstructIsAZipOfAllInstancesAndTheFineTuningFile() throws Exception {
        MockHttpServletResponse response = api.download("format=self-instruct&seed=7");

        assertThat(response.getHeader("Content-Disposition")).contains("self_instruct.zip");
        Map<String, byte[]> entries = unzip(response.getContentAsByteArray());
        assertThat(entries.keySet()).containsExactly("all_generated_instances.jsonl", "gpt3_finetuning_data_4.jsonl");
        assertThat(triples(lines(entries.get("all_generated_instances.jsonl"))))
                .containsExactly(
                        "Give an example||out1", "Give an example|in2|out2",
                        "Classify the sentiment|Sentence: I love it|positive", "写一首诗||床前明月光");
        List<JsonNode> pairs = lines(entries.get("gpt3_finetuning_data_4.jsonl"));
        assertThat(pairs).hasSize(4).allSatisfy(p -> {
            assertThat(fieldNames(p)).containsExactly("prompt", "completion");
            assertThat(p.get("completion").asString()).endsWith("<|endoftext|>");
        });
        assertThat(pairs)
                .anySatisfy(p -> assertThat(p.get("completion").asString()).contains("床前明月光"));

        Map<String, byte[]> again =
                unzip(api.download("format=self-instruct&seed=7").getContentAsByteArray());
        assertThat(again.get("gpt3_finetuning_data_4.jsonl")).isEqualTo(entries.get("gpt3_finetuning_data_4.jsonl"));
    }

    @Test
    void gpt3IsTheFineTuningFileAloneNamedByItsLineCount() throws Exception {
        MockHttpServletResponse response = api.download("format=gpt3&includeSeeds=true");

        assertThat(response.getHeader("Content-Disposition")).contains("gpt3_finetuning_data_6.jsonl");
        assertThat(lines(response.getContentAsByteArray()))
                .hasSize(6)
                .allSatisfy(p -> assertThat(fieldNames(p)).containsExactly("prompt", "completion"));
    }

    @Test
    void splitGivesTrainAndValidationFilesDeterministicBySeed() throws Exception {
        for (int i = 0; i < 20; i++) {
            pool.instruction("Task " + i, "IMPORTED", "ACCEPTED", null, "fr", null, Instant.now());
        }
        jdbc.update("INSERT INTO instance (instruction_id, input, output, status, position) "
                + "SELECT id, '', 'answer ' || text, 'ACCEPTED', 0 FROM instruction WHERE language = 'fr'");

        MockHttpServletResponse response = api.download("format=alpaca&language=fr&split=0.75&seed=1");
        assertThat(response.getHeader("Content-Disposition")).contains("alpaca_data_split.zip");
        Map<String, byte[]> entries = unzip(response.getContentAsByteArray());
        assertThat(entries.keySet()).containsExactly("alpaca_data_train.json", "alpaca_data_validation.json");
        List<String> train = triples(array(entries.get("alpaca_data_train.json")));
        List<String> validation = triples(array(entries.get("alpaca_data_validation.json")));
        assertThat(train).hasSize(15);
        assertThat(validation).hasSize(5);
        Set<String> all = new HashSet<>(train);
        all.addAll(validation);
        assertThat(all).hasSize(20);

        Map<String, byte[]> same = unzip(
                api.download("format=alpaca&language=fr&split=0.75&seed=1").getContentAsByteArray());
        assertThat(same.get("alpaca_data_validation.json")).isEqualTo(entries.get("alpaca_data_validation.json"));
        Map<String, byte[]> other =
                unzip(api.download("format=jsonl&language=fr&split=0.75&seed=2").getContentAsByteArray());
        assertThat(other.keySet()).containsExactly("alpaca_data_train.jsonl", "alpaca_data_validation.jsonl");
        assertThat(triples(lines(other.get("alpaca_data_validation.jsonl"))))
                .hasSize(5)
                .isNotEqualTo(validation);
    }

    @Test
    void badParametersAre400ProblemDetails() throws Exception {
        expect400("format=xml", "Unknown export format 'xml'");
        expect400("format=alpaca&status=DONE", "Unknown status 'DONE'");
        expect400("format=alpaca&origin=GENERATED,HUMAN", "Unknown origin 'HUMAN'");
        expect400("format=alpaca&split=1.5", "split");
        expect400("format=gpt3&split=0.9", "split applies to");
        expect400("format=alpaca&from=yesterday", "from must be an ISO date");
        mvc.perform(get("/api/export?format=alpaca&batchId=abc").header("X-API-Key", "test-key"))
                .andExpect(status().isBadRequest());
        mvc.perform(get("/api/export").header("X-API-Key", "test-key")).andExpect(status().isBadRequest());
    }

    private void expect400(String query, String detail) throws Exception {
        mvc.perform(get("/api/export?" + query).header("X-API-Key", "test-key"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString(detail)));
    }

    private List<String> exported(String query) throws Exception {
        return triples(array(api.download("format=alpaca&" + query).getContentAsByteArray()));
    }

    private static List<String> triples(List<JsonNode> records) {
        List<String> triples = new ArrayList<>();
        for (JsonNode r : records) {
            triples.add(r.get("instruction").asString() + "|" + r.get("input").asString() + "|"
                    + r.get("output").asString());
        }
        return triples;
    }

    private static List<String> roles(JsonNode messages, String key) {
        List<String> roles = new ArrayList<>();
        messages.forEach(m -> roles.add(m.get(key).asString()));
        return roles;
    }
}
