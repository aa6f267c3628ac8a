package io.selfinstruct.export;

import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the records an export holds straight from the database, one row at a time: a JDBC cursor with a
 * fetch size (PostgreSQL only streams inside a transaction, hence the read-only one), so memory does not grow
 * with the pool. Pool records come in instruction id and instance position order, then the seed tasks'.
 */
@Component
public class PoolRecords {

    /** Receives each record; may write to a client and so fail with I/O. */
    @FunctionalInterface
    public interface Sink {
        void accept(ExportRecord record) throws IOException;
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final JsonMapper json = JsonMapper.builder().build();

    public PoolRecords(DataSource dataSource, PlatformTransactionManager transactions, ExportProperties properties) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(properties.fetchSize());
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    public long count(ExportFilter filter) {
        Query query = poolQuery(filter, "count(*)", "");
        Long pool = readOnly.execute(s -> jdbc.queryForObject(query.sql, Long.class, query.args.toArray()));
        return (pool == null ? 0 : pool) + seedRecords(filter).size();
    }

    public void forEach(ExportFilter filter, Sink sink) {
        Query query = poolQuery(filter, "i.text, n.input, n.output", " ORDER BY i.id, n.position, n.id");
        readOnly.executeWithoutResult(s -> jdbc.query(query.sql, rs -> {
            deliver(sink, new ExportRecord(rs.getString(1), rs.getString(2), rs.getString(3)));
        }, query.args.toArray()));
        for (ExportRecord seed : seedRecords(filter)) {
            deliver(sink, seed);
        }
    }

    private static void deliver(Sink sink, ExportRecord record) {
        try {
            sink.accept(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Seed sets are a few hundred tasks at most, so they are read whole; every instance is exported unfiltered. */
    private List<ExportRecord> seedRecords(ExportFilter filter) {
        if (!filter.includeSeeds()) {
            return List.of();
        }
        String sql = "SELECT instruction, instances FROM seed_task WHERE seed_set = ?"
                + (filter.classification() == null ? "" : " AND is_classification = ?") + " ORDER BY position, id";
        Object[] args = filter.classification() == null
                ? new Object[] {filter.seedSet()} : new Object[] {filter.seedSet(), filter.classification()};
        List<ExportRecord> records = new ArrayList<>();
        jdbc.query(sql, rs -> {
            String instruction = rs.getString(1);
            for (JsonNode instance : json.readTree(rs.getString(2))) {
                records.add(new ExportRecord(instruction, instance.path("input").asString(""),
                        instance.path("output").asString("")));
            }
        }, args);
        return records;
    }

    private static Query poolQuery(ExportFilter filter, String columns, String orderBy) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(columns)
                .append(" FROM instruction i JOIN instance n ON n.instruction_id = i.id WHERE i.status = ?");
        args.add(filter.status().name());
        if (filter.status() == InstructionStatus.ACCEPTED) {
            // an accepted instruction can still hold instances its filters rejected
            sql.append(" AND n.status = ?");
            args.add(InstructionStatus.ACCEPTED.name());
        }
        sql.append(" AND i.origin IN (")
                .append(filter.origins().stream().map(o -> "?").collect(Collectors.joining(", "))).append(")");
        filter.origins().stream().map(Origin::name).sorted().forEach(args::add);
        if (filter.batchId() != null) {
            sql.append(" AND i.batch_id = ?");
            args.add(filter.batchId());
        }
        if (filter.classification() != null) {
            sql.append(" AND i.is_classification = ?");
            args.add(filter.classification());
        }
        if (filter.from() != null) {
            sql.append(" AND i.created_at >= ?");
            args.add(OffsetDateTime.ofInstant(filter.from(), ZoneOffset.UTC));
        }
        if (filter.to() != null) {
            sql.append(" AND i.created_at < ?");
            args.add(OffsetDateTime.ofInstant(filter.to(), ZoneOffset.UTC));
        }
        if (filter.language() != null) {
            sql.append(" AND i.language = ?");
            args.add(filter.language());
        }
        return new Query(sql.append(orderBy).toString(), args);
    }

    private record Query(String sql, List<Object> args) {
    }
}
