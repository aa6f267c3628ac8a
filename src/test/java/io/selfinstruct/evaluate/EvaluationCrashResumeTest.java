package io.selfinstruct.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.JudgeScripts;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** An evaluation whose service is killed (SIGKILL) mid-run completes after a restart, judging each pair twice. */
class EvaluationCrashResumeTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final int ITEMS = 20;
    static final int CONCURRENCY = 2;

    @TempDir
    Path dataDir;

    @Test
    void aKilledEvaluationCompletesWithEveryPairJudgedTwiceAndNoStoredAnswerAskedAgain() throws Exception {
        Path log = Files.createDirectories(Path.of("target")).resolve("evaluation-crash-resume-test.log");
        JudgeScripts judgeScript = new JudgeScripts();
        try (ScriptedLlmServer a = ScriptedLlmServer.start(
                        prompt -> ScriptedLlmServer.Answer.stop("A long and careful answer."), 30);
                ScriptedLlmServer b = ScriptedLlmServer.start(prompt -> ScriptedLlmServer.Answer.stop("Short."), 30);
                ScriptedLlmServer judge = ScriptedLlmServer.start(judgeScript.longer(), 30)) {
            String[] properties = {
                "selfinstruct.llm.base-url=" + a.baseUrl(),
                "selfinstruct.llm.allowed-base-urls=" + a.baseUrl() + "," + b.baseUrl() + "," + judge.baseUrl(),
                "selfinstruct.evaluations.poll-interval=100ms"
            };
            long id;
            ServiceProcess first = ServiceProcess.start(dataDir, log, properties);
            try {
                id = JSON.readTree(first.post("/api/evaluations", """
                                {"models": [{"baseUrl": "%s", "model": "a"}, {"baseUrl": "%s", "model": "b"}],
                                 "judge": {"baseUrl": "%s", "model": "judge"}, "instructions": {"seedSet": "default"},
                                 "limit": %d, "concurrency": %d}""".formatted(
                                        a.baseUrl(), b.baseUrl(), judge.baseUrl(), ITEMS, CONCURRENCY)))
                        .get("id")
                        .asLong();
                awaitDone(first, id, ITEMS / 4);
            } finally {
                first.kill();
            }
            int doneAtKill = done(id);
            assertThat(doneAtKill).isBetween(1, ITEMS - 1);

            try (ServiceProcess second = ServiceProcess.start(dataDir, log, properties)) {
                JsonNode evaluation = awaitStatus(second, id, "COMPLETED");
                assertThat(evaluation.get("summary").get("wins").asInt()).isEqualTo(ITEMS);
                assertThat(evaluation.get("progress").get("done").asInt()).isEqualTo(ITEMS);
            }

            try (Connection c =
                    DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("selfinstruct"), "sa", "")) {
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                assertThat(jdbc.queryForObject(
                                "select count(*) from evaluation_item where evaluation_id = ? and outcome = 'WIN' "
                                        + "and verdict_ab = 'A' and verdict_ba = 'A'",
                                Integer.class,
                                id))
                        .isEqualTo(ITEMS);
                // one stored call per item and step, each succeeded: every pair judged exactly twice
                List<Map<String, Object>> calls = jdbc.queryForList(
                        "select step, status, count(*) as n from llm_call where request_key like ? group by step, status",
                        "evaluation:" + id + ":%");
                assertThat(calls)
                        .extracting(r -> r.get("STEP") + "/" + r.get("STATUS") + "=" + r.get("N"))
                        .containsExactlyInAnyOrder(
                                "evaluation_answer/SUCCEEDED=" + 2 * ITEMS, "evaluation_judge/SUCCEEDED=" + 2 * ITEMS);
                assertThat(jdbc.queryForObject(
                                "select count(*) from llm_call where request_key like ? and request_key like '%:judge-a-first'",
                                Integer.class, "evaluation:" + id + ":%"))
                        .isEqualTo(ITEMS);
            }
            // each server was asked once per stored call, plus at most the calls in flight at the kill (and, on H2,
            // the few whose rows were in its last unflushed commits): nothing stored was asked again
            assertThat(a.requests() - ITEMS).isBetween(0, 2 * CONCURRENCY);
            assertThat(b.requests() - ITEMS).isBetween(0, 2 * CONCURRENCY);
            assertThat(judge.requests() - 2 * ITEMS).isBetween(0, 2 * CONCURRENCY);
            long longFirst = judgeScript.seen().stream()
                    .filter(s -> s.first().startsWith("A long"))
                    .count();
            assertThat(longFirst).isBetween((long) ITEMS, (long) ITEMS + 2 * CONCURRENCY);
        }
    }

    private int done(long id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("selfinstruct"), "sa", "")) {
            var rs = c.createStatement()
                    .executeQuery(
                            "select count(*) from evaluation_item where outcome is not null and evaluation_id = " + id);
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitDone(ServiceProcess service, long id, int done) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (JSON.readTree(service.get("/api/evaluations/" + id))
                        .get("progress")
                        .get("done")
                        .asInt()
                < done) {
            assertThat(Instant.now()).as("never %d done", done).isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private static JsonNode awaitStatus(ServiceProcess service, long id, String status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (true) {
            JsonNode evaluation = JSON.readTree(service.get("/api/evaluations/" + id));
            if (evaluation.get("status").asString().equals(status)) {
                return evaluation;
            }
            assertThat(evaluation.get("status").asString())
                    .as("error: %s", evaluation.get("error"))
                    .isNotEqualTo("FAILED");
            assertThat(Instant.now()).as("never %s: %s", status, evaluation).isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
