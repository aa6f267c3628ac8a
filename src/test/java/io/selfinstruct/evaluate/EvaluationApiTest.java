package io.selfinstruct.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.support.JudgeScripts;
import io.selfinstruct.support.ScriptedLlmServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Evaluations end to end: two scripted models and a scripted judge, all local OpenAI-wire-format servers. */
@SpringBootTest(properties = "selfinstruct.evaluations.poll-interval=100ms")
@AutoConfigureMockMvc
class EvaluationApiTest {

    static final AtomicInteger shortAsked = new AtomicInteger();
    static final ScriptedLlmServer shortModel = ScriptedLlmServer.start(
            prompt -> {
                shortAsked.incrementAndGet();
                return ScriptedLlmServer.Answer.stop("Short.");
            },
            0);
    static final ScriptedLlmServer longModel =
            ScriptedLlmServer.start(prompt -> ScriptedLlmServer.Answer.stop("A much longer answer, in detail."), 0);
    static final JudgeScripts longerScript = new JudgeScripts();
    static final ScriptedLlmServer longerJudge = ScriptedLlmServer.start(longerScript.longer(), 0);
    static final ScriptedLlmServer self =
            ScriptedLlmServer.start(prompt -> ScriptedLlmServer.Answer.stop("The served model's long answer."), 0);
    static final JudgeScripts biasedScript = new JudgeScripts();
    static final ScriptedLlmServer biasedJudge = ScriptedLlmServer.start(biasedScript.alwaysFirst(), 0);

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", shortModel::baseUrl);
        // stands in for the service's own /v1, which another part of the service serves
        registry.add("selfinstruct.serve.self-url", self::baseUrl);
        registry.add(
                "selfinstruct.llm.allowed-base-urls",
                () -> String.join(
                        ",", shortModel.baseUrl(), longModel.baseUrl(), longerJudge.baseUrl(), biasedJudge.baseUrl()));
        // $0.01 a prompt token: a judge call costs a few dollars
        registry.add("selfinstruct.llm.prices[priced-judge].input-per-million", () -> "10000");
        registry.add("selfinstruct.llm.prices[priced-judge].output-per-million", () -> "0");
    }

    // the scripted servers stay up for the whole test JVM: PostgresEvaluationApiTest inherits these static
    // fields, so closing them after this class would leave the subclass calling closed ports

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void theLongerAnswerWinsEveryPairAndEachPairIsJudgedInBothOrders() throws Exception {
        int before = longerScript.seen().size();
        JsonNode evaluation = runToEnd(body(longModel, shortModel, longerJudge, 6, null));

        assertThat(evaluation.get("status").asString()).isEqualTo("COMPLETED");
        JsonNode summary = evaluation.get("summary");
        assertThat(summary.get("wins").asInt()).isEqualTo(6);
        assertThat(summary.get("ties").asInt()).isZero();
        assertThat(summary.get("losses").asInt()).isZero();
        assertThat(summary.get("winRate").asDouble()).isEqualTo(1.0);
        // Wilson at p = 1, n = 6: z^2 / (n + z^2) below 1
        assertThat(summary.get("winRateCi95").get(0).asDouble())
                .isCloseTo(0.6097, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(summary.get("winRateCi95").get(1).asDouble()).isEqualTo(1.0);
        assertThat(evaluation.get("progress").get("done").asInt()).isEqualTo(6);
        assertThat(evaluation.get("progress").get("total").asInt()).isEqualTo(6);
        assertThat(evaluation.get("costUsd").asDouble()).isZero();

        List<JudgeScripts.Shown> seen =
                longerScript.seen().subList(before, longerScript.seen().size());
        assertThat(seen).hasSize(12);
        long longFirst =
                seen.stream().filter(s -> s.first().startsWith("A much longer")).count();
        long shortFirst = seen.stream().filter(s -> s.first().equals("Short.")).count();
        assertThat(longFirst).isEqualTo(6);
        assertThat(shortFirst).isEqualTo(6);

        JsonNode items = getJson("/api/evaluations/" + evaluation.get("id").asLong() + "/items?size=100");
        assertThat(items.size()).isEqualTo(6);
        for (JsonNode item : items) {
            assertThat(item.get("answerA").asString()).isEqualTo("A much longer answer, in detail.");
            assertThat(item.get("answerB").asString()).isEqualTo("Short.");
            assertThat(item.get("verdictAFirst").asString()).isEqualTo("A");
            // shown second, the long answer was "[[B]]": mapped back to the models that is A
            assertThat(item.get("verdictBFirst").asString()).isEqualTo("A");
            assertThat(item.get("reasonBFirst").asString()).endsWith("[[B]]");
            assertThat(item.get("outcome").asString()).isEqualTo("WIN");
        }
    }

    @Test
    void theShorterAnswerLosesAndEqualAnswersTie() throws Exception {
        JsonNode losing = runToEnd(body(shortModel, longModel, longerJudge, 4, null));
        assertThat(losing.get("summary").get("losses").asInt()).isEqualTo(4);
        assertThat(losing.get("summary").get("winRate").asDouble()).isEqualTo(0.0);

        JsonNode equal = runToEnd(body(shortModel, shortModel, longerJudge, 4, null));
        assertThat(equal.get("summary").get("ties").asInt()).isEqualTo(4);
        assertThat(equal.get("summary").get("winRate").asDouble()).isEqualTo(0.5);
    }

    @Test
    void aJudgeThatAlwaysPrefersTheFirstAnswerGivesOnlyTies() throws Exception {
        JsonNode evaluation = runToEnd(body(longModel, shortModel, biasedJudge, 5, null));
        JsonNode summary = evaluation.get("summary");
        assertThat(summary.get("ties").asInt()).isEqualTo(5);
        assertThat(summary.get("wins").asInt()).isZero();
        assertThat(summary.get("losses").asInt()).isZero();
        assertThat(summary.get("winRate").asDouble()).isEqualTo(0.5);
        JsonNode byTask = evaluation.get("byTaskType");
        assertThat(byTask.get("classification").get("ties").asInt()
                        + byTask.get("generation").get("ties").asInt())
                .isEqualTo(5);
    }

    @Test
    void theBudgetStopsTheEvaluationBeforeItIsPassed() throws Exception {
        String request = """
                {"models": [{"baseUrl": "%s", "model": "a"}, {"baseUrl": "%s", "model": "b"}],
                 "judge": {"baseUrl": "%s", "model": "priced-judge"},
                 "instructions": {"seedSet": "default"}, "limit": 20, "maxCostUsd": 20, "concurrency": 1}""".formatted(longModel.baseUrl(), shortModel.baseUrl(), longerJudge.baseUrl());
        JsonNode evaluation = runToEnd(request);
        assertThat(evaluation.get("status").asString()).isEqualTo("PAUSED");
        assertThat(evaluation.get("statusReason").asString()).isEqualTo("budget reached");
        assertThat(evaluation.get("costUsd").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(20.0);
        assertThat(evaluation.get("progress").get("done").asInt()).isLessThan(20);

        // resumed: a budget not above what was spent is refused; a raised one goes on where it stopped
        long id = evaluation.get("id").asLong();
        double spent = evaluation.get("costUsd").asDouble();
        int done = evaluation.get("progress").get("done").asInt();
        mvc.perform(post("/api/evaluations/" + id + "/resume")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"maxCostUsd\": " + spent + "}"))
                .andExpect(status().isBadRequest());
        assertThat(getJson("/api/evaluations/" + id).get("status").asString()).isEqualTo("PAUSED");
        mvc.perform(post("/api/evaluations/" + id + "/resume")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"maxCostUsd\": null}"))
                .andExpect(status().isOk());
        JsonNode resumed = awaitEnd(id);
        assertThat(resumed.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(resumed.get("progress").get("done").asInt()).isEqualTo(20).isGreaterThan(done);
        assertThat(resumed.get("costUsd").asDouble()).isGreaterThan(spent);
        // no pair asked or judged again: every item's calls are stored once each
        assertThat(jdbc.queryForObject(
                        "select count(*) from llm_call where request_key like ?",
                        Integer.class,
                        "evaluation:" + id + ":%"))
                .isEqualTo(20 * 4);
        // only a paused evaluation resumes
        mvc.perform(post("/api/evaluations/" + id + "/resume").header("X-API-Key", "test-key"))
                .andExpect(status().isConflict());
    }

    @Test
    void aPoolFilterSelectsThePoolsInstructionsWithTheirInputs() throws Exception {
        String marker = "zebra" + System.nanoTime();
        String body = """
                {"instruction": "Describe the %1$s in one line.", "input": "The striped %1$s.", "output": "A horse."}
                {"instruction": "Spell %1$s backwards.", "input": "", "output": "arbez"}
                """.formatted(marker);
        mvc.perform(post("/api/import?dedup=false")
                        .header("X-API-Key", "test-key")
                        .contentType("application/x-ndjson")
                        .content(body))
                .andExpect(status().isOk());
        String request = """
                {"models": [{"baseUrl": "%s", "model": "a"}, {"baseUrl": "%s", "model": "b"}],
                 "judge": {"baseUrl": "%s", "model": "j"}, "instructions": {"q": "%s", "origin": "IMPORTED"}}""".formatted(longModel.baseUrl(), shortModel.baseUrl(), longerJudge.baseUrl(), marker);
        JsonNode evaluation = runToEnd(request);
        assertThat(evaluation.get("status").asString()).isEqualTo("COMPLETED");
        JsonNode items = getJson("/api/evaluations/" + evaluation.get("id").asLong() + "/items");
        assertThat(items.size()).isEqualTo(2);
        assertThat(items.get(0).get("instruction").asString()).isEqualTo("Describe the " + marker + " in one line.");
        assertThat(items.get(0).get("input").asString()).isEqualTo("The striped " + marker + ".");
        assertThat(items.get(1).get("input").asString()).isEmpty();
        assertThat(items.get(0).get("source").asString()).startsWith("instruction:");
    }

    @Test
    void aServedModelByNameIsCalledOnTheServicesOwnV1WithItsKeyAndCostsNothing() throws Exception {
        String request = """
                {"models": ["job-7", {"baseUrl": "self", "model": "tiny-llama/model", "apiKey": "ignored-for-self"}],
                 "judge": {"baseUrl": "%s", "model": "priced-judge"}, "instructions": {"seedSet": "default"},
                 "limit": 2}""".formatted(longerJudge.baseUrl());
        JsonNode evaluation = runToEnd(request);
        assertThat(evaluation.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(evaluation.get("modelA").get("baseUrl").asString()).isEqualTo("self");
        assertThat(evaluation.get("modelA").get("model").asString()).isEqualTo("job-7");
        assertThat(evaluation.get("modelB").get("model").asString()).isEqualTo("tiny-llama/model");
        assertThat(self.authorizations()).containsExactly("Bearer test-key");
        assertThat(evaluation.get("summary").get("ties").asInt()).isEqualTo(2);
        // both served models cost 0; only the priced judge's calls cost anything
        JsonNode items = getJson("/api/evaluations/" + evaluation.get("id").asLong() + "/items");
        assertThat(items.get(0).get("answerA").asString()).isEqualTo("The served model's long answer.");
        assertThat(evaluation.get("costUsd").asDouble()).isGreaterThan(0);
    }

    @Test
    void aCancelledEvaluationStopsAndStaysCancelled() throws Exception {
        longModel.latencyMillis(200);
        try {
            String created = mvc.perform(post("/api/evaluations")
                            .header("X-API-Key", "test-key")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(body(longModel, shortModel, longerJudge, 30, null)
                                    .replace("\"limit\"", "\"concurrency\": 1, \"limit\"")))
                    .andExpect(status().isAccepted())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            long id = json.readTree(created).get("id").asLong();
            Thread.sleep(500);
            String cancelled = mvc.perform(
                            post("/api/evaluations/" + id + "/cancel").header("X-API-Key", "test-key"))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(json.readTree(cancelled).get("status").asString()).isEqualTo("CANCELLED");
            Thread.sleep(1500);
            JsonNode evaluation = getJson("/api/evaluations/" + id);
            assertThat(evaluation.get("status").asString()).isEqualTo("CANCELLED");
            assertThat(evaluation.get("progress").get("done").asInt()).isLessThan(30);
        } finally {
            longModel.latencyMillis(0);
        }
    }

    @Test
    void theItemsExportAsJsonl() throws Exception {
        JsonNode evaluation = runToEnd(body(longModel, shortModel, longerJudge, 3, null));
        long id = evaluation.get("id").asLong();
        String jsonl = mvc.perform(
                        get("/api/evaluations/" + id + "/items.jsonl").header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        List<String> lines = jsonl.lines().toList();
        assertThat(lines).hasSize(3);
        Set<Integer> positions = lines.stream()
                .map(line -> json.readTree(line).get("position").asInt())
                .collect(Collectors.toSet());
        assertThat(positions).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(json.readTree(lines.get(0)).get("outcome").asString()).isEqualTo("WIN");
        assertThat(mvc.perform(get("/api/evaluations/" + id + "/items?format=jsonl")
                                .header("X-API-Key", "test-key"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(jsonl);
    }

    @Test
    void anApiKeyGivenForAModelIsNeverShown() throws Exception {
        String request = """
                {"models": [{"baseUrl": "%s", "model": "a", "apiKey": "sk-secret-of-a"}, {"baseUrl": "%s", "model": "b"}],
                 "judge": {"baseUrl": "%s", "model": "j"}, "instructions": {"seedSet": "default"}, "limit": 1}""".formatted(longModel.baseUrl(), shortModel.baseUrl(), longerJudge.baseUrl());
        JsonNode evaluation = runToEnd(request);
        long id = evaluation.get("id").asLong();
        assertThat(evaluation.toString()).doesNotContain("sk-secret-of-a");
        assertThat(getJson("/api/evaluations").toString()).doesNotContain("sk-secret-of-a");
        assertThat(getJson("/api/evaluations/" + id + "/items").toString()).doesNotContain("sk-secret-of-a");
    }

    @Test
    void badRequestsAreRefusedWithProblemDetails() throws Exception {
        String a = "{\"baseUrl\": \"" + longModel.baseUrl() + "\", \"model\": \"a\"}";
        List<String> bad = List.of(
                "{\"judge\": " + a + ", \"instructions\": {\"seedSet\": \"default\"}}",
                "{\"models\": [" + a + "], \"judge\": " + a + ", \"instructions\": {\"seedSet\": \"default\"}}",
                "{\"models\": [" + a + ", " + a + "], \"instructions\": {\"seedSet\": \"default\"}}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a + ", \"instructions\": {\"seedSet\": \"nope\"}}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a
                        + ", \"instructions\": {\"seedSet\": \"default\"}, \"limit\": 0}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a
                        + ", \"instructions\": {\"seedSet\": \"default\"}, \"maxCostUsd\": -1}",
                "{\"models\": [" + a + ", {\"baseUrl\": \"http://169.254.169.254/v1\", \"model\": \"x\"}], \"judge\": "
                        + a + ", \"instructions\": {\"seedSet\": \"default\"}}",
                "{\"models\": [" + a + ", {\"model\": \"x\"}], \"judge\": " + a
                        + ", \"instructions\": {\"seedSet\": \"default\"}}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a
                        + ", \"instructions\": {\"seedSet\": \"default\"}, \"colour\": 1}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a
                        + ", \"instructions\": {\"heldOutOfJob\": \"7\"}}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a + ", \"instructions\": {\"status\": \"MAYBE\"}}",
                "{\"models\": [" + a + ", " + a + "], \"judge\": " + a
                        + ", \"instructions\": {\"q\": \"no-such-text-anywhere\"}}");
        for (String body : bad) {
            mvc.perform(post("/api/evaluations")
                            .header("X-API-Key", "test-key")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(body))
                    .andExpect(status().isBadRequest());
        }
        mvc.perform(get("/api/evaluations/987654").header("X-API-Key", "test-key"))
                .andExpect(status().isNotFound());
    }

    private static String body(
            ScriptedLlmServer a, ScriptedLlmServer b, ScriptedLlmServer judge, int limit, Double maxCostUsd) {
        return """
                {"models": [{"baseUrl": "%s", "model": "model-a"}, {"baseUrl": "%s", "model": "model-b"}],
                 "judge": {"baseUrl": "%s", "model": "judge"}, "instructions": {"seedSet": "default"},
                 "limit": %d%s}""".formatted(
                        a.baseUrl(),
                        b.baseUrl(),
                        judge.baseUrl(),
                        limit,
                        maxCostUsd == null ? "" : ", \"maxCostUsd\": " + maxCostUsd);
    }

    private JsonNode runToEnd(String request) throws Exception {
        String created = mvc.perform(post("/api/evaluations")
                        .header("X-API-Key", "test-key")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(request))
                .andExpect(status().isAccepted())
                .andReturn()
                .getResponse()
                .getContentAsString();
        return awaitEnd(json.readTree(created).get("id").asLong());
    }

    private JsonNode awaitEnd(long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode evaluation = getJson("/api/evaluations/" + id);
            String status = evaluation.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return evaluation;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("evaluation " + id + " did not end");
    }

    private JsonNode getJson(String path) throws Exception {
        return json.readTree(mvc.perform(get(path).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
