package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Is admission ever the bottleneck? A pool of 10,000+ machine instructions, a local server answering every call
 * after 1 s, concurrency 16: the ideal is 16 requests/s. Run with
 * {@code mvn test -Dtest=PipelineThroughputBenchmark -Dsurefire.excludedGroups=none}.
 */
@Tag("benchmark")
@SpringBootTest(properties = {"selfinstruct.batches.poll-interval=100ms", "logging.level.root=WARN"})
class PipelineThroughputBenchmark {

    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    static final SelfInstructScript script = new SelfInstructScript(true, false);
    static final ScriptedLlmServer server = ScriptedLlmServer.start(script, 1000);
    static final int PREFILLED = 10_000;

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", server::baseUrl);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Autowired
    Batches batches;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void concurrency16KeepsTheServerBusyWithATenThousandPool() throws Exception {
        Timestamp now = Timestamp.from(Instant.now());
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < PREFILLED; i++) {
            rows.add(new Object[] {script.freshInstruction(), now, now});
        }
        jdbc.batchUpdate(
                "insert into instruction (text, origin, language, status, created_at, updated_at) "
                        + "values (?, 'GENERATED', 'en', 'ACCEPTED', ?, ?)",
                rows);

        for (String mode : List.of("self-instruct", "alpaca")) {
            int target = mode.equals("alpaca") ? 1200 : 600;
            int before = server.requests();
            Instant start = Instant.now();
            long id = batches.create(JSON.readValue(
                            "{\"mode\": \"" + mode + "\", \"api\": \"completions\", \"targetInstructions\": " + target
                                    + ", \"concurrency\": 16, \"randomSeed\": 7}",
                            BatchRequest.class))
                    .id();
            BatchView view = batches.view(id);
            while (view.status() != BatchStatus.COMPLETED) {
                assertThat(view.status()).isIn(BatchStatus.QUEUED, BatchStatus.RUNNING);
                Thread.sleep(200);
                view = batches.view(id);
            }
            double seconds =
                    Duration.between(view.startedAt(), view.finishedAt()).toMillis() / 1000.0;
            int requests = server.requests() - before;
            int pool = jdbc.queryForObject("select count(*) from instruction where status = 'ACCEPTED'", Integer.class);
            System.out.printf(
                    "BENCHMARK pipeline mode=%s target=%d pool=%d requests=%d seconds=%.1f "
                            + "requests/s=%.2f (ideal 16.00, %.0f%%) instructions/s=%.2f wall=%.1fs%n",
                    mode,
                    target,
                    pool,
                    requests,
                    seconds,
                    requests / seconds,
                    100 * requests / seconds / 16,
                    target / seconds,
                    Duration.between(start, Instant.now()).toMillis() / 1000.0);
            assertThat(view.accepted()).isEqualTo(target);
        }
    }
}
