package io.selfinstruct.export;

import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import io.selfinstruct.rouge.RougeIndex;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.rouge.Similarity;
import io.selfinstruct.web.InvalidRequestException;
import java.io.InputStream;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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

    /** Records checked against the frozen index in parallel at a time; see {@link #duplicates}. */
    private static final int BLOCK = 256;
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

    /**
     * Greedy dedup in file order, run on all cores: a block of records is first checked in parallel against
     * the index as it stood before the block (pool plus records kept earlier), then the survivors, in order,
     * against the records kept within the block. Both checks together see exactly the records the sequential
     * loop would, so the kept set is the sequential one. Returns the kept records; fills {@code skipped}.
     */
    private List<AlpacaReader.Entry> duplicates(List<AlpacaReader.Entry> records, RougeTokenizer tokenizer,
            Options options, List<ImportReport.Skipped> skipped) {
        RougeIndex index = new RougeIndex(tokenizer);
        List<String> pool = jdbc.queryForList("SELECT text FROM instruction WHERE status = ? AND language = ? "
                + "ORDER BY id", String.class, InstructionStatus.ACCEPTED.name(), options.language());
        pool.forEach(index::add);
        int poolSize = pool.size();
        List<AlpacaReader.Entry> kept = new ArrayList<>();
        double threshold = options.threshold();
        boolean[] seenBefore = new boolean[BLOCK];
        for (int start = 0; start < records.size(); start += BLOCK) {
            int end = Math.min(records.size(), start + BLOCK);
            int blockStart = start;
            IntStream.range(start, end).parallel().forEach(i -> seenBefore[i - blockStart] =
                    index.anyAbove(records.get(i).record().instruction(), threshold));
            RougeIndex block = new RougeIndex(tokenizer);
            List<AlpacaReader.Entry> keptInBlock = new ArrayList<>();
            for (int i = start; i < end; i++) {
                AlpacaReader.Entry entry = records.get(i);
                String text = entry.record().instruction();
                if (seenBefore[i - start]) {
                    skipped.add(skip(entry, index.similarity(text, 1), poolSize, kept));
                } else if (block.anyAbove(text, threshold)) {
                    skipped.add(skip(entry, block.similarity(text, 1), 0, keptInBlock));
                } else {
                    block.add(text);
                    keptInBlock.add(entry);
                }
            }
            keptInBlock.forEach(entry -> index.add(entry.record().instruction()));
            kept.addAll(keptInBlock);
        }
        return kept;
    }

    /** Index ids below {@code poolSize} are pool instructions; the rest are kept records, in order. */
    private static ImportReport.Skipped skip(AlpacaReader.Entry entry, Similarity similarity, int poolSize,
            List<AlpacaReader.Entry> keptRecords) {
        Similarity.Neighbor nearest = similarity.mostSimilar().get(0);
        String reason = nearest.id() < poolSize
                ? "ROUGE-L similar to an accepted pool instruction"
                : "ROUGE-L similar to record " + keptRecords.get(nearest.id() - poolSize).index() + " of this import";
        return new ImportReport.Skipped(entry.index(), entry.line(), reason, nearest.text(), nearest.fmeasure());
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
