package io.selfinstruct.export;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/** Writes pool rows for export and import tests straight through JDBC. */
final class PoolFixture {

    private final JdbcTemplate jdbc;

    PoolFixture(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void clear() {
        jdbc.update("DELETE FROM instance");
        jdbc.update("DELETE FROM instruction");
        jdbc.update("DELETE FROM seed_task");
        jdbc.update("DELETE FROM batch");
    }

    long batch() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        jdbc.update(
                c -> {
                    var ps = c.prepareStatement(
                            "INSERT INTO batch (mode, seed_set, model, api, language, target, config, "
                                    + "status, created_at, updated_at) VALUES ('self-instruct', 'default', 'm', 'chat', "
                                    + "'en', 10, '{}', 'COMPLETED', ?, ?)",
                            new String[] {"id"});
                    ps.setObject(1, now);
                    ps.setObject(2, now);
                    return ps;
                },
                key);
        return key.getKey().longValue();
    }

    long instruction(
            String text,
            String origin,
            String status,
            Long batchId,
            String language,
            Boolean classification,
            Instant createdAt) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        OffsetDateTime at = OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC);
        jdbc.update(
                c -> {
                    var ps = c.prepareStatement(
                            "INSERT INTO instruction (text, origin, batch_id, language, is_classification, "
                                    + "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            new String[] {"id"});
                    ps.setString(1, text);
                    ps.setString(2, origin);
                    ps.setObject(3, batchId);
                    ps.setString(4, language);
                    ps.setObject(5, classification);
                    ps.setString(6, status);
                    ps.setObject(7, at);
                    ps.setObject(8, at);
                    return ps;
                },
                key);
        return key.getKey().longValue();
    }

    long accepted(String text, String... inputOutputPairs) {
        long id = instruction(text, "GENERATED", "ACCEPTED", null, "en", false, Instant.now());
        for (int i = 0; i < inputOutputPairs.length; i += 2) {
            instance(id, inputOutputPairs[i], inputOutputPairs[i + 1], "ACCEPTED", i / 2);
        }
        return id;
    }

    void instance(long instructionId, String input, String output, String status, int position) {
        jdbc.update(
                "INSERT INTO instance (instruction_id, input, output, status, position) VALUES (?, ?, ?, ?, ?)",
                instructionId,
                input,
                output,
                status,
                position);
    }

    void seedTask(
            String seedSet,
            String taskId,
            String instruction,
            String instancesJson,
            boolean classification,
            int position) {
        jdbc.update(
                "INSERT INTO seed_task (seed_set, task_id, name, instruction, instances, is_classification, "
                        + "position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                seedSet,
                taskId,
                taskId,
                instruction,
                instancesJson,
                classification,
                position,
                OffsetDateTime.now(ZoneOffset.UTC));
    }
}
