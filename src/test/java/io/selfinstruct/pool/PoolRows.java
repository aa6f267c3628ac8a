package io.selfinstruct.pool;

import io.selfinstruct.generate.BatchConfig;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import tools.jackson.databind.json.JsonMapper;

/** Pool rows for pool and admin UI tests, written straight through JDBC. */
public final class PoolRows {

    private final JdbcTemplate jdbc;

    public PoolRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void clear() {
        jdbc.update("delete from instance");
        jdbc.update("delete from instruction");
        jdbc.update("delete from llm_call");
        jdbc.update("delete from batch");
    }

    public long batch(double rougeThreshold) {
        Timestamp now = Timestamp.from(Instant.now());
        return insert(
                "insert into batch (mode, seed_set, model, api, language, target, config, status, "
                        + "created_at, updated_at) values ('self-instruct', 'default', 'scripted-model', 'chat', 'en', 10, ?, "
                        + "'COMPLETED', ?, ?)",
                config(rougeThreshold),
                now,
                now);
    }

    /** A complete stored config, as the batch views read it. */
    private static String config(double rougeThreshold) {
        return JsonMapper.builder()
                .build()
                .writeValueAsString(new BatchConfig(
                        "self-instruct",
                        "default",
                        "scripted-model",
                        "chat",
                        null,
                        10,
                        1,
                        0,
                        0,
                        0.7,
                        0.5,
                        1024,
                        2.0,
                        0.0,
                        null,
                        "en",
                        1L,
                        rougeThreshold,
                        3,
                        150,
                        List.of(),
                        false,
                        false,
                        2,
                        5,
                        null,
                        null,
                        null,
                        null));
    }

    public long llmCall(Long batchId, String prompt, String response) {
        return insert(
                "insert into llm_call (batch_id, step, model, prompt, response, status, prompt_tokens, "
                        + "completion_tokens, cost_usd, created_at) values (?, 'generate_instructions', 'scripted-model', ?, ?, "
                        + "'SUCCEEDED', 120, 80, 0.0012, ?)",
                batchId,
                prompt,
                response,
                Timestamp.from(Instant.now()));
    }

    public long instruction(String text, String status, Long batchId, Long llmCallId, Boolean classification) {
        Timestamp now = Timestamp.from(Instant.now());
        return insert(
                "insert into instruction (text, origin, batch_id, llm_call_id, language, is_classification, "
                        + "status, reject_reason, created_at, updated_at) values (?, 'GENERATED', ?, ?, 'en', ?, ?, ?, ?, ?)",
                text,
                batchId,
                llmCallId,
                classification,
                status,
                status.equals("REJECTED") ? "rouge_similar" : null,
                now,
                now);
    }

    public void instance(long instructionId, String input, String output) {
        jdbc.update(
                "insert into instance (instruction_id, input, output, status, position) values (?, ?, ?, "
                        + "'ACCEPTED', 0)",
                instructionId,
                input,
                output);
    }

    private long insert(String sql, Object... args) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        jdbc.update(
                c -> {
                    var ps = c.prepareStatement(sql, new String[] {"id"});
                    for (int i = 0; i < args.length; i++) {
                        ps.setObject(i + 1, args[i]);
                    }
                    return ps;
                },
                key);
        return key.getKey().longValue();
    }
}
