package io.selfinstruct.export;

import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.problem.InvalidRequestException;
import java.io.InputStream;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Imports alpaca records into the pool as accepted instructions of origin IMPORTED, one instance each.
 * With dedup, a record is kept iff its instruction's ROUGE-L F-measure against every accepted pool instruction
 * of the language and every record kept before it in the file is at most the threshold: the same greedy rule
 * admission applies. Rows go in with JDBC batches, all in one transaction.
 */
@Service
public class Importer {

    /** Raised when strict mode meets an invalid record: nothing is stored. */
    static final class StrictRejection extends RuntimeException {
        private final transient List<ImportReport.Invalid> invalid;

        StrictRejection(List<ImportReport.Invalid> invalid) {
            super(invalid.size() + " invalid record" + (invalid.size() == 1 ? "" : "s") + " and strict=true, so nothing "
                    + "was imported; the first is " + invalid.get(0).where() + ": " + invalid.get(0).message());
            this.invalid = invalid;
        }

        List<ImportReport.Invalid> invalid() {
            return invalid;
        }
    }

    /** @param language {@code en} or {@code zh}: the pool the records join, and the ROUGE-L tokenizer */
    public record Options(boolean dedup, boolean strict, double threshold, String language) {
    }

    private static final Map<String, RougeTokenizer> TOKENIZERS = Map.of("en", RougeTokenizer.DEFAULT,
            "zh", RougeTokenizer.CJK);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ImportProperties properties;

    public Importer(DataSource dataSource, PlatformTransactionManager transactions, ImportProperties properties) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactions);
        this.properties = properties;
    }

    public long maxBytes() {
        return properties.maxBytes();
    }

    public ImportReport importRecords(InputStream body, Options options) {
        RougeTokenizer tokenizer = TOKENIZERS.get(options.language());
        if (tokenizer == null) {
            throw new InvalidRequestException("language must be en or zh, not '" + options.language() + "'");
        }
        if (!(options.threshold() >= 0 && options.threshold() <= 1)) {
            throw new InvalidRequestException("threshold is a ROUGE-L F-measure between 0 and 1, not "
                    + options.threshold());
        }
        AlpacaReader.Parsed parsed = new AlpacaReader(properties.maxFieldChars())
                .read(new BoundedBody(body, properties.maxBytes()));
        if (options.strict() && !parsed.invalid().isEmpty()) {
            throw new StrictRejection(parsed.invalid());
        }
        List<AlpacaReader.Entry> kept = parsed.records();
        List<ImportReport.Skipped> skipped = List.of();
        if (options.dedup()) {
            skipped = new ArrayList<>();
            kept = duplicates(kept, tokenizer, options, skipped);
        }
        List<AlpacaReader.Entry> toStore = kept;
        transaction.executeWithoutResult(s -> store(toStore, options.language()));
        return new ImportReport(toStore.size(), skipped, parsed.invalid());
    }

    private List<AlpacaReader.Entry> duplicates(List<AlpacaReader.Entry> records, RougeTokenizer tokenizer,
            Options options, List<ImportReport.Skipped> skipped) {
        List<String> pool = jdbc.queryForList("SELECT text FROM instruction WHERE status = ? AND language = ? "
                + "ORDER BY id", String.class, InstructionStatus.ACCEPTED.name(), options.language());
        return new ImportDedup(tokenizer, options.threshold(), pool).keep(records, skipped);
    }

    private void store(List<AlpacaReader.Entry> records, String language) {
        int batchSize = properties.batchSize();
        for (int from = 0; from < records.size(); from += batchSize) {
            List<AlpacaReader.Entry> batch = records.subList(from, Math.min(records.size(), from + batchSize));
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            GeneratedKeyHolder keys = new GeneratedKeyHolder();
            jdbc.batchUpdate(connection -> connection.prepareStatement("INSERT INTO instruction (text, origin, "
                    + "language, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    new String[] {"id"}), new BatchPreparedStatementSetter() {
                        @Override
                        public void setValues(PreparedStatement ps, int i) throws java.sql.SQLException {
                            ps.setString(1, batch.get(i).record().instruction());
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
                    }, keys);
            List<Map<String, Object>> ids = keys.getKeyList();
            if (ids.size() != batch.size()) {
                throw new IllegalStateException("the database returned " + ids.size() + " ids for " + batch.size()
                        + " inserted instructions");
            }
            jdbc.batchUpdate("INSERT INTO instance (instruction_id, input, output, status, position) "
                    + "VALUES (?, ?, ?, ?, 0)", new BatchPreparedStatementSetter() {
                        @Override
                        public void setValues(PreparedStatement ps, int i) throws java.sql.SQLException {
                            ps.setLong(1, ((Number) ids.get(i).values().iterator().next()).longValue());
                            ps.setString(2, batch.get(i).record().input());
                            ps.setString(3, batch.get(i).record().output());
                            ps.setString(4, InstructionStatus.ACCEPTED.name());
                        }

                        @Override
                        public int getBatchSize() {
                            return batch.size();
                        }
                    });
        }
    }
}
