package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.llm.LlmCall;
import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.ScriptedLlmServer.ResponseFormats;
import io.selfinstruct.support.SelfInstructScript;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code "structuredOutputs": true}: steps 2 and 3 as JSON objects where the server takes response_format. */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=100ms")
@AutoConfigureMockMvc
class StructuredOutputsTest {

    static final ScriptedLlmServer honours = server(ResponseFormats.HONOUR);
    static final ScriptedLlmServer refuses = server(ResponseFormats.REFUSE);
    static final ScriptedLlmServer ignores = server(ResponseFormats.IGNORE);

    static ScriptedLlmServer server(ResponseFormats mode) {
        ScriptedLlmServer server = ScriptedLlmServer.start(new SelfInstructScript(true, true), 0);
        server.responseFormats(mode);
        return server;
    }

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", honours::baseUrl);
        registry.add(
                "selfinstruct.llm.allowed-base-urls",
                () -> honours.baseUrl() + "," + refuses.baseUrl() + "," + ignores.baseUrl());
    }

    @AfterAll
    static void stop() {
        honours.close();
        refuses.close();
        ignores.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    LlmCallRepository calls;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void withAServerThatHonoursResponseFormatEveryInstanceIsParsedFromJson() throws Exception {
        JsonNode batch = run(honours, true);
        assertThat(batch.get("accepted").asInt()).isEqualTo(30);
        List<LlmCall> steps = stepCalls(batch);
        assertThat(steps).isNotEmpty().allMatch(c -> c.getRequestKey().contains(":json:"));
        assertThat(steps)
                .filteredOn(c -> c.getStep().equals(BatchRun.STEP_INSTANCES))
                .isNotEmpty()
                .allMatch(c -> StructuredAnswers.instances(c.getResponse()).isPresent());
        Map<String, Integer> rejected = json.convertValue(batch.get("rejected"), Map.class);
        assertThat(rejected)
                .containsKeys("input_equals_output", "conflicting_instances", "empty_output", "ends_with_colon")
                .doesNotContainKey("unparseable");
    }

    @Test
    void aServerThatAnswers400ToResponseFormatIsAskedWithTheTextPromptsForTheRestOfTheBatch() throws Exception {
        JsonNode batch = run(refuses, true);
        assertThat(batch.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(batch.get("accepted").asInt()).isEqualTo(30);
        // the workers that asked at the same moment each got one 400; after that, text only
        assertThat(refuses.refusedFormats()).isBetween(1, 3);
        List<LlmCall> succeeded = stepCalls(batch).stream()
                .filter(c -> c.getStatus().equals("SUCCEEDED"))
                .toList();
        assertThat(succeeded).isNotEmpty().noneMatch(c -> c.getRequestKey().contains(":json:"));
        assertThat(jdbc.queryForObject(
                        "select text_fallback from batch where id = ?",
                        Boolean.class,
                        batch.get("id").asLong()))
                .isTrue();
    }

    /** What each mode loses to parse errors against the stand-in server (a chat model that decorates its text). */
    @Test
    void parseErrorsPerMode() throws Exception {
        int[] text = parseErrors(run(honours, false));
        int[] json = parseErrors(run(honours, true));
        int[] ignored = parseErrors(run(ignores, true));
        System.out.printf(
                "parse errors (step-3 responses not JSON of the schema / instructions with no readable instance):"
                        + " text %d/%d, json %d/%d, json on a server ignoring response_format %d/%d%n",
                text[0], text[1], json[0], json[1], ignored[0], ignored[1]);
        assertThat(json[0]).isZero();
        assertThat(json[1]).isZero();
        assertThat(text[1]).isZero();
        // a server that ignores response_format answers text: every answer is a JSON parse error, read as text
        assertThat(ignored[0]).isPositive();
        assertThat(ignored[1]).isZero();
    }

    /** Step-3 responses of JSON requests that were not JSON of the schema, and instructions rejected unparseable. */
    private int[] parseErrors(JsonNode batch) {
        int notJson = (int) stepCalls(batch).stream()
                .filter(c -> c.getStep().equals(BatchRun.STEP_INSTANCES)
                        && c.getRequestKey().contains(":json:"))
                .filter(c -> StructuredAnswers.instances(c.getResponse()).isEmpty())
                .count();
        return new int[] {notJson, batch.get("rejected").path("unparseable").asInt(0)};
    }

    private JsonNode run(ScriptedLlmServer server, boolean structured) throws Exception {
        return new BatchCalls(mvc, json).runToEnd("""
                {"targetInstructions":30,"api":"chat","concurrency":3,"structuredOutputs":%s,"baseUrl":"%s"}""".formatted(structured, server.baseUrl()));
    }

    private List<LlmCall> stepCalls(JsonNode batch) {
        return calls.findByBatchIdOrderById(batch.get("id").asLong()).stream()
                .filter(c -> c.getStep().equals(BatchRun.STEP_CLASSIFY)
                        || c.getStep().equals(BatchRun.STEP_INSTANCES))
                .toList();
    }
}
