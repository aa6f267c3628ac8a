package io.selfinstruct.pool;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Brings existing datasets into the pool: accepted instructions of origin IMPORTED with one accepted instance
 * each, written with JDBC batches, all in one transaction.
 */
@Component
public class PoolImports {

    /** One imported record; input is "" when there is none. */
    public record Example(String instruction, String input, String output) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final int batchSize;

    public PoolImports(
            DataSource dataSource,
            PlatformTransactionManager transactions,
            @Value("${selfinstruct.import.batch-size:1000}") int batchSize) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactions);
        this.batchSize = batchSize > 0 ? batchSize : 1000;
    }

    /**
     * The texts an import is deduplicated against: the language's accepted instructions and the candidates that
     * batches admitted and are still completing (they become accepted without another check), oldest first.
     */
    public List<String> poolTexts(String language) {
        return jdbc.queryForList(
                "select text from instruction where status in (?, ?) and language = ? order by id",
                String.class,
                InstructionStatus.ACCEPTED.name(),
                InstructionStatus.CANDIDATE.name(),
                language);
    }

    public void store(List<Example> records, String language) {
        transaction.executeWithoutResult(s -> {
            for (int from = 0; from < records.size(); from += batchSize) {
                insert(records.subList(from, Math.min(records.size(), from + batchSize)), language);
            }
        });
    }

    private void insert(List<Example> batch, String language) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.batchUpdate(
                connection -> connection.prepareStatement(
                        "insert into instruction (text, origin, "
                                + "language, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?)",
                        new String[] {"id"}),
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        ps.setString(1, batch.get(i).instruction());
                        ps.setString(2, Origin.IMPORTED.name());
                        ps.setString(3, language);
                        ps.setString(4, InstructionStatus.ACCEPTED.name());
                        ps.setObject(5, now);
                        ps.setObject(6, now);
                    }

                    @Override
                    public int getBatchSize() {
                        return batch.size();
                    }
                },
                keys);
        List<Map<String, Object>> ids = keys.getKeyList();
        if (ids.size() != batch.size()) {
            throw new IllegalStateException(
                    "the database returned " + ids.size() + " ids for " + batch.size() + " inserted instructions");
        }
        jdbc.batchUpdate(
                "insert into instance (instruction_id, input, output, status, position) values (?, ?, ?, ?, 0)",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        ps.setLong(1, ((Number) ids.get(i).values().iterator().next()).longValue());
                        ps.setString(2, batch.get(i).input());
                        ps.setString(3, batch.get(i).output());
                        ps.setString(4, InstructionStatus.ACCEPTED.name());
                    }

                    @Override
                    public int getBatchSize() {
                        return batch.size();
                    }
                });
    }
}
