package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.support.PostgresDatabase;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * What admission through the database lock costs: the same 400 accepted instructions (self-instruct, an LLM
 * answering in 100 ms) grown by one instance with one batch, and by two instances on one PostgreSQL with one batch
 * each; accepted instructions and LLM requests per second, three runs each. Run with
 * {@code SELFINSTRUCT_TEST_JDBC_URL=... mvn test -Dtest=AdmissionLockBenchmark -Dsurefire.excludedGroups=none}.
 */
@Tag("benchmark")
class AdmissionLockBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int TOTAL = 400;

    @BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @Test
    void oneInstanceAgainstTwo() throws Exception {
        for (int run = 1; run <= 3; run++) {
            for (int instances : List.of(1, 2)) {
                measure(run, instances);
            }
        }
    }

    private static void measure(int run, int instances) throws Exception {
        String url = PostgresDatabase.createDatabase();
        try (ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(false, false), 100)) {
            List<ConfigurableApplicationContext> contexts = new ArrayList<>();
            try {
                for (int i = 0; i < instances; i++) {
                    contexts.add(PostgresBatchClaimTest.instance(url, llm, "bench-" + run + "-" + instances + "-" + i));
                }
                int before = llm.requests();
                Instant start = Instant.now();
                List<Long> ids = new ArrayList<>();
                for (ConfigurableApplicationContext context : contexts) {
                    ids.add(context.getBean(Batches.class)
                            .create(JSON.readValue(
                                    "{\"api\": \"completions\", \"concurrency\": 16, \"targetInstructions\": "
                                            + TOTAL / instances + "}",
                                    BatchRequest.class))
                            .id());
                }
                Batches batches = contexts.get(0).getBean(Batches.class);
                for (long id : ids) {
                    while (batches.view(id).status() != BatchStatus.COMPLETED) {
                        assertThat(batches.view(id).status()).isNotEqualTo(BatchStatus.FAILED);
                        Thread.sleep(50);
                    }
                }
                double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
                int requests = llm.requests() - before;
                System.out.printf(
                        "admission lock, run %d, %d instance(s): %d accepted in %.1f s, %.1f accepted/s, %.1f req/s%n",
                        run, instances, TOTAL, seconds, TOTAL / seconds, requests / seconds);
            } finally {
                for (ConfigurableApplicationContext context : contexts) {
                    context.close();
                }
            }
        }
    }
}
