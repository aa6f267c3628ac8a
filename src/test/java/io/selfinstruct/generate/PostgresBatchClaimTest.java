package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.SelfInstructApplication;
import io.selfinstruct.support.PostgresDatabase;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Two service instances on one PostgreSQL: each batch runs in exactly one of them, on PostgreSQL's locking. */
class PostgresBatchClaimTest {

    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    @org.junit.jupiter.api.BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @Test
    void twoInstancesNeverRunTheSameBatch() throws Exception {
        String url = PostgresDatabase.createDatabase();
        try (ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(true, false), 20);
                ConfigurableApplicationContext a = instance(url, llm, "instance-a");
                ConfigurableApplicationContext b = instance(url, llm, "instance-b")) {
            Batches batches = a.getBean(Batches.class);
            List<Long> ids = List.of(create(batches, 30), create(batches, 30), create(batches, 30));

            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            for (long id : ids) {
                BatchView view = batches.view(id);
                while (view.status() != BatchStatus.COMPLETED) {
                    assertThat(view.status()).as("error: %s", view.error()).isNotEqualTo(BatchStatus.FAILED);
                    assertThat(Instant.now()).isBefore(deadline);
                    Thread.sleep(100);
                    view = batches.view(id);
                }
                assertThat(view.accepted()).isEqualTo(30);
            }
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            for (long id : ids) {
                // a batch run twice would admit up to its target in each run
                assertThat(jdbc.queryForObject(
                                "select count(*) from instruction where batch_id = ? and status in "
                                        + "('ACCEPTED', 'CANDIDATE')",
                                Integer.class,
                                id))
                        .isEqualTo(30);
            }
            assertThat(jdbc.queryForList("select text from instruction where status = 'ACCEPTED'", String.class))
                    .hasSize(90)
                    .doesNotHaveDuplicates();
        }
    }

    private static long create(Batches batches, int target) {
        return batches.create(JSON.readValue(
                        "{\"api\": \"completions\", \"targetInstructions\": " + target + ", \"concurrency\": 3}",
                        BatchRequest.class))
                .id();
    }

    static ConfigurableApplicationContext instance(String url, ScriptedLlmServer llm, String name) {
        // command-line arguments: they outrank application.yml, as a deployment's settings would
        return new SpringApplicationBuilder(SelfInstructApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + url,
                        "--selfinstruct.llm.base-url=" + llm.baseUrl(),
                        "--selfinstruct.batches.instance-id=" + name,
                        "--selfinstruct.batches.poll-interval=50ms",
                        "--selfinstruct.data-dir=target/test-data/" + name);
    }
}
