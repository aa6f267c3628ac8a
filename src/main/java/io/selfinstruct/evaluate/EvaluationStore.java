package io.selfinstruct.evaluate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** The evaluation tables: every SQL statement of the feature. */
@RequiredArgsConstructor
@Component
class EvaluationStore {

    /** An instruction to evaluate, as it is fixed at creation. */
    record NewItem(String source, String instruction, String input, String language, Boolean classification) {}

    /** An evaluation's row. */
    record Row(
            long id,
            String configJson,
            String apiKeysJson,
            EvaluationStatus status,
            String statusReason,
            String error,
            int total,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    long create(String configJson, String apiKeysJson, List<NewItem> items) {
        return transaction.execute(tx -> {
            Timestamp now = Timestamp.from(Instant.now());
            org.springframework.jdbc.support.GeneratedKeyHolder key =
                    new org.springframework.jdbc.support.GeneratedKeyHolder();
            jdbc.update(
                    connection -> {
                        var statement = connection.prepareStatement(
                                "insert into evaluation (config, api_keys, status, total, created_at, updated_at) "
                                        + "values (?, ?, 'QUEUED', ?, ?, ?)",
                                new String[] {"id"});
                        statement.setString(1, configJson);
                        statement.setString(2, apiKeysJson);
                        statement.setInt(3, items.size());
                        statement.setTimestamp(4, now);
                        statement.setTimestamp(5, now);
                        return statement;
                    },
                    key);
            long id = key.getKey().longValue();
            int position = 0;
            for (NewItem item : items) {
                jdbc.update(
                        "insert into evaluation_item (evaluation_id, position, source, instruction, input, language, "
                                + "is_classification) values (?, ?, ?, ?, ?, ?, ?)",
                        id,
                        position++,
                        item.source(),
                        item.instruction(),
                        item.input(),
                        item.language(),
                        item.classification());
            }
            return id;
        });
    }

    java.util.Optional<Row> find(long id) {
        return jdbc.query("select * from evaluation where id = ?", EvaluationStore::row, id).stream()
                .findFirst();
    }

    List<Row> list() {
        return jdbc.query("select * from evaluation order by id desc", EvaluationStore::row);
    }

    List<EvaluationItem> items(long evaluationId, int offset, int size) {
        return jdbc.query(
                "select * from evaluation_item where evaluation_id = ? order by position offset ? rows fetch next ? rows only",
                EvaluationStore::item,
                evaluationId,
                offset,
                size);
    }

    /** Items whose verdicts are not both in, in order: what a run still has to do. */
    List<EvaluationItem> unfinishedItems(long evaluationId) {
        return jdbc.query(
                "select * from evaluation_item where evaluation_id = ? and outcome is null order by position",
                EvaluationStore::item,
                evaluationId);
    }

    /** Outcome counts by outcome and classification (null classification as false). */
    List<Map<String, Object>> outcomes(long evaluationId) {
        return jdbc.queryForList(
                "select outcome, coalesce(is_classification, false) as classification, count(*) as n "
                        + "from evaluation_item where evaluation_id = ? and outcome is not null "
                        + "group by outcome, coalesce(is_classification, false)",
                evaluationId);
    }

    void answer(long itemId, String column, String text) {
        String sql = switch (column) {
            case "a" -> "update evaluation_item set answer_a = ? where id = ?";
            case "b" -> "update evaluation_item set answer_b = ? where id = ?";
            default -> throw new IllegalArgumentException(column);
        };
        jdbc.update(sql, text, itemId);
    }

    void verdict(long itemId, boolean aFirst, Verdict verdict, String reason) {
        jdbc.update(
                aFirst
                        ? "update evaluation_item set verdict_ab = ?, reason_ab = ? where id = ?"
                        : "update evaluation_item set verdict_ba = ?, reason_ba = ? where id = ?",
                verdict.name(),
                reason,
                itemId);
    }

    void outcome(long itemId, Verdict.Outcome outcome) {
        jdbc.update("update evaluation_item set outcome = ? where id = ?", outcome.name(), itemId);
    }

    /** A paused evaluation queued again under {@code configJson} (its new budget); false when it was not paused. */
    boolean resume(long id, String configJson) {
        return jdbc.update(
                        "update evaluation set status = 'QUEUED', status_reason = null, config = ?, updated_at = ? "
                                + "where id = ? and status = 'PAUSED'",
                        configJson,
                        Timestamp.from(Instant.now()),
                        id)
                == 1;
    }

    /** A cancel stands for any evaluation that has not ended. */
    int cancel(long id) {
        Timestamp now = Timestamp.from(Instant.now());
        return jdbc.update(
                "update evaluation set status = 'CANCELLED', finished_at = ?, updated_at = ? "
                        + "where id = ? and status in ('QUEUED', 'RUNNING', 'PAUSED')",
                now,
                now,
                id);
    }

    List<Long> claimable(String instanceId, Instant stale) {
        return jdbc.queryForList(
                "select id from evaluation where status in ('QUEUED', 'RUNNING') and "
                        + "(claimed_by is null or claimed_by = ? or heartbeat_at < ?) order by id",
                Long.class,
                instanceId,
                Timestamp.from(stale));
    }

    /** One conditional UPDATE: two instances never both take an evaluation. */
    boolean claim(long id, String instanceId, Instant stale) {
        Timestamp now = Timestamp.from(Instant.now());
        return jdbc.update(
                        "update evaluation set claimed_by = ?, heartbeat_at = ?, status = 'RUNNING', status_reason = null, "
                                + "started_at = coalesce(started_at, ?), updated_at = ? where id = ? and status in "
                                + "('QUEUED', 'RUNNING') and (claimed_by is null or claimed_by = ? or heartbeat_at < ?)",
                        instanceId,
                        now,
                        now,
                        now,
                        id,
                        instanceId,
                        Timestamp.from(stale))
                == 1;
    }

    /** False when the evaluation is no longer RUNNING here (cancelled, or taken over). */
    boolean heartbeat(long id, String instanceId) {
        return jdbc.update(
                        "update evaluation set heartbeat_at = ? where id = ? and claimed_by = ? and status = 'RUNNING'",
                        Timestamp.from(Instant.now()),
                        id,
                        instanceId)
                == 1;
    }

    /** Ends this instance's run: its status replaces only RUNNING, so a cancel asked meanwhile stands. */
    void end(long id, String instanceId, EvaluationStatus status, String reason, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        transaction.executeWithoutResult(tx -> {
            if (status != null) {
                jdbc.update(
                        "update evaluation set status = ?, status_reason = ?, error = ?, finished_at = ?, "
                                + "updated_at = ? where id = ? and status = 'RUNNING' and claimed_by = ?",
                        status.name(),
                        reason,
                        error,
                        status.isFinished() ? now : null,
                        now,
                        id,
                        instanceId);
            }
            jdbc.update(
                    "update evaluation set claimed_by = null, heartbeat_at = null, updated_at = ? "
                            + "where id = ? and claimed_by = ?",
                    now,
                    id,
                    instanceId);
        });
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(
                rs.getLong("id"),
                rs.getString("config"),
                rs.getString("api_keys"),
                EvaluationStatus.valueOf(rs.getString("status")),
                rs.getString("status_reason"),
                rs.getString("error"),
                rs.getInt("total"),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("finished_at")));
    }

    private static EvaluationItem item(ResultSet rs, int n) throws SQLException {
        Object classification = rs.getObject("is_classification");
        return new EvaluationItem(
                rs.getLong("id"),
                rs.getInt("position"),
                rs.getString("source"),
                rs.getString("instruction"),
                rs.getString("input"),
                rs.getString("language"),
                classification == null ? null : rs.getBoolean("is_classification"),
                rs.getString("answer_a"),
                rs.getString("answer_b"),
                rs.getString("verdict_ab"),
                rs.getString("reason_ab"),
                rs.getString("verdict_ba"),
                rs.getString("reason_ba"),
                rs.getString("outcome"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
