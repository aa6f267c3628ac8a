package io.selfinstruct.pool;

import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The pool as examples (instruction, input, output), one per instance of the instructions a {@link PoolFilter}
 * chooses, in instruction id and instance position order: what exports write and fine-tune jobs train on. Read
 * one row at a time through a JDBC cursor with a fetch size (PostgreSQL only streams inside a transaction, hence
 * the read-only one), so memory does not grow with the pool.
 */
@Component
public class PoolExamples {

    /** Which instances of the chosen instructions count. */
    public enum Instances {
        /** Only instances that passed their filters. */
        ACCEPTED,
        /**
         * Accepted instances when the filter asks for accepted instructions (an accepted instruction can still hold
         * instances its filters rejected), else every instance.
         */
        OF_STATUS
    }

    /** Receives each example; may write to a client and so fail with I/O. */
    @FunctionalInterface
    public interface Sink {
        void accept(String instruction, String input, String output) throws java.io.IOException;
    }

    /** Receives each example with the id of its instance. */
    @FunctionalInterface
    public interface IdentifiedSink {
        void accept(long instanceId, String instruction, String input, String output);
    }

    /** How many instance ids one {@link #forIds} query asks for. */
    private static final int IDS_PER_QUERY = 1000;

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate readOnly;

    public PoolExamples(
            DataSource dataSource,
            PlatformTransactionManager transactions,
            @Value("${selfinstruct.export.fetch-size:1000}") int fetchSize) {
        JdbcTemplate template = new JdbcTemplate(dataSource);
        template.setFetchSize(fetchSize > 0 ? fetchSize : 1000);
        this.jdbc = new NamedParameterJdbcTemplate(template);
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    public long count(PoolFilter filter, Instances instances) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String sql = select("count(*)", filter, instances, params);
        Long count = readOnly.execute(s -> jdbc.queryForObject(sql, params, Long.class));
        return count == null ? 0 : count;
    }

    /** Hands every example to {@code sink}; an {@link java.io.IOException} of the sink ends the read, unchecked. */
    public void forEach(PoolFilter filter, Instances instances, Sink sink) {
        forEachIdentified(filter, instances, (id, instruction, input, output) -> {
            try {
                sink.accept(instruction, input, output);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Like {@link #forEach}, with each example's instance id. */
    public void forEachIdentified(PoolFilter filter, Instances instances, IdentifiedSink sink) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String sql = select("n.id, i.text, n.input, n.output", filter, instances, params)
                + " order by i.id, n.position, n.id";
        readOnly.executeWithoutResult(s -> jdbc.query(sql, params, identified(sink)));
    }

    /**
     * The examples of the given instances whatever their status now, in no particular order; ids no longer in
     * the pool are left out.
     */
    public void forIds(java.util.List<Long> instanceIds, IdentifiedSink sink) {
        String sql = "select n.id, i.text, n.input, n.output from instruction i join instance n"
                + " on n.instruction_id = i.id where n.id in (:ids)";
        readOnly.executeWithoutResult(s -> {
            for (int from = 0; from < instanceIds.size(); from += IDS_PER_QUERY) {
                var chunk = instanceIds.subList(from, Math.min(instanceIds.size(), from + IDS_PER_QUERY));
                jdbc.query(sql, new MapSqlParameterSource("ids", chunk), identified(sink));
            }
        });
    }

    /** An instruction with the input of its first instance ("" when it has none): what an evaluation asks. */
    public record FirstInstance(
            long instructionId, String text, String input, Boolean classification, String language) {}

    /** The first {@code limit} instructions the filter selects, oldest first, each with its first instance's input. */
    public java.util.List<FirstInstance> firstInstances(PoolFilter filter, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String condition = filter.where("i", params);
        params.addValue("limit", limit);
        String sql = "select i.id, i.text, i.is_classification, i.language, (select n.input from instance n"
                + " where n.instruction_id = i.id order by n.position, n.id fetch first 1 rows only) as input"
                + " from instruction i" + (condition.isEmpty() ? "" : " where " + condition)
                + " order by i.id fetch first :limit rows only";
        return readOnly.execute(s -> jdbc.query(sql, params, (rs, n) -> {
            Object classification = rs.getObject(3);
            String input = rs.getString(5);
            return new FirstInstance(
                    rs.getLong(1),
                    rs.getString(2),
                    input == null ? "" : input,
                    classification == null ? null : rs.getBoolean(3),
                    rs.getString(4));
        }));
    }

    private static RowCallbackHandler identified(IdentifiedSink sink) {
        return rs -> sink.accept(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
    }

    private static String select(String columns, PoolFilter filter, Instances instances, MapSqlParameterSource params) {
        StringBuilder sql = new StringBuilder("select ")
                .append(columns)
                .append(" from instruction i join instance n on n.instruction_id = i.id");
        String condition = filter.where("i", params);
        boolean acceptedOnly = instances == Instances.ACCEPTED || filter.status() == InstructionStatus.ACCEPTED;
        if (acceptedOnly) {
            condition = (condition.isEmpty() ? "" : condition + " and ") + "n.status = :instanceStatus";
            params.addValue("instanceStatus", InstructionStatus.ACCEPTED.name());
        }
        return condition.isEmpty()
                ? sql.toString()
                : sql.append(" where ").append(condition).toString();
    }
}
