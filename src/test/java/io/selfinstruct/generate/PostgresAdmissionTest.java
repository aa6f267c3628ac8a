package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.export.ImportReport;
import io.selfinstruct.export.Importer;
import io.selfinstruct.rouge.RougeL;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.support.NearDuplicateScript;
import io.selfinstruct.support.PostgresDatabase;
import io.selfinstruct.support.ScriptedLlmServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two service instances on one PostgreSQL, an LLM that proposes near-duplicates at a high rate, and an import
 * running at the same time: the pool's rule (no two accepted instructions above ROUGE-L 0.7) holds across all of
 * them, because admission and imports check and insert under one database lock.
 */
class PostgresAdmissionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @Test
    void twoInstancesAndAnImportNeverAdmitTwoSimilarInstructions() throws Exception {
        String url = PostgresDatabase.createDatabase();
        try (ScriptedLlmServer llm = ScriptedLlmServer.start(new NearDuplicateScript(), 5);
                ConfigurableApplicationContext a = PostgresBatchClaimTest.instance(url, llm, "admission-a");
                ConfigurableApplicationContext b = PostgresBatchClaimTest.instance(url, llm, "admission-b")) {
            long first = create(a.getBean(Batches.class), 30);
            long second = create(b.getBean(Batches.class), 30);
            // the import's records are near-duplicates of what the batches propose (other verbs, same sentences)
            List<String> records = new ArrayList<>();
            for (int base = 0; base < 40; base++) {
                records.add(JSON.writeValueAsString(java.util.Map.of(
                        "instruction", NearDuplicateScript.instruction(base * 3, 5), "input", "", "output", "x")));
            }
            byte[] file = String.join("\n", records).getBytes(StandardCharsets.UTF_8);
            CompletableFuture<ImportReport> imported = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return b.getBean(Importer.class)
                        .importRecords(new ByteArrayInputStream(file), new Importer.Options(true, false, 0.7, "en"));
            });

            Batches batches = a.getBean(Batches.class);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            for (long id : List.of(first, second)) {
                BatchView view = batches.view(id);
                while (view.status() != BatchStatus.COMPLETED) {
                    assertThat(view.status()).as("error: %s", view.error()).isNotEqualTo(BatchStatus.FAILED);
                    assertThat(Instant.now()).as("batch %d: %s", id, view).isBefore(deadline);
                    Thread.sleep(100);
                    view = batches.view(id);
                }
                assertThat(view.accepted()).isEqualTo(30);
                assertThat(view.rejected()).containsKey("rouge_similar");
            }
            ImportReport report = imported.get();
            assertThat(report.imported()).isPositive();

            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            List<String> accepted = jdbc.queryForList(
                    "select text from instruction where status = 'ACCEPTED' order by id", String.class);
            assertThat(accepted).hasSize(60 + report.imported());
            List<String> similar = new ArrayList<>();
            for (int i = 0; i < accepted.size(); i++) {
                for (int j = i + 1; j < accepted.size(); j++) {
                    double f = RougeL.score(accepted.get(i), accepted.get(j), RougeTokenizer.DEFAULT)
                            .fmeasure();
                    if (f > 0.7) {
                        similar.add(accepted.get(i) + " ~ " + accepted.get(j) + " (" + f + ")");
                    }
                }
            }
            assertThat(similar).as("pairs of accepted instructions above 0.7").isEmpty();
        }
    }

    private static long create(Batches batches, int target) {
        return batches.create(JSON.readValue(
                        "{\"api\": \"completions\", \"targetInstructions\": " + target + ", \"concurrency\": 8}",
                        BatchRequest.class))
                .id();
    }
}
