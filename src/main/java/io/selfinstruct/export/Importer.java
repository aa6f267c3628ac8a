package io.selfinstruct.export;

import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.PoolImports;
import io.selfinstruct.pool.PoolLanguage;
import io.selfinstruct.problem.InvalidRequestException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Imports alpaca records into the pool as accepted instructions of origin IMPORTED, one instance each.
 * With dedup, a record is kept iff its instruction's ROUGE-L F-measure against every accepted pool instruction
 * of the language and every record kept before it in the file is at most the threshold: the same greedy rule
 * admission applies. {@link PoolImports} stores them.
 */
@Service
public class Importer {

    /** Raised when strict mode meets an invalid record: nothing is stored. */
    static final class StrictRejection extends RuntimeException {
        private final transient List<ImportReport.Invalid> invalid;

        StrictRejection(List<ImportReport.Invalid> invalid) {
            super(invalid.size() + " invalid record" + (invalid.size() == 1 ? "" : "s")
                    + " and strict=true, so nothing " + "was imported; the first is "
                    + invalid.get(0).where() + ": " + invalid.get(0).message());
            this.invalid = invalid;
        }

        List<ImportReport.Invalid> invalid() {
            return invalid;
        }
    }

    /** @param language {@code en} or {@code zh}: the pool the records join, and the ROUGE-L tokenizer */
    public record Options(boolean dedup, boolean strict, double threshold, String language) {}

    private final PoolImports imports;
    private final Admission admission;
    private final ImportProperties properties;

    public Importer(PoolImports imports, Admission admission, ImportProperties properties) {
        this.imports = imports;
        this.admission = admission;
        this.properties = properties;
    }

    public long maxBytes() {
        return properties.maxBytes();
    }

    public ImportReport importRecords(InputStream body, Options options) {
        PoolLanguage language = PoolLanguage.of(options.language());
        if (!(options.threshold() >= 0 && options.threshold() <= 1)) {
            throw new InvalidRequestException(
                    "threshold is a ROUGE-L F-measure between 0 and 1, not " + options.threshold());
        }
        AlpacaReader.Parsed parsed =
                new AlpacaReader(properties.maxFieldChars()).read(new BoundedBody(body, properties.maxBytes()));
        if (options.strict() && !parsed.invalid().isEmpty()) {
            throw new StrictRejection(parsed.invalid());
        }
        // the dedup and the insert run under the admission lock: no batch (on any instance) admits a similar
        // instruction between them, and what the import stores is in every batch's index before it decides again
        return admission.locked(() -> {
            List<AlpacaReader.Entry> kept = parsed.records();
            List<ImportReport.Skipped> skipped = List.of();
            if (options.dedup()) {
                skipped = new ArrayList<>();
                kept = duplicates(kept, language, options.threshold(), skipped);
            }
            imports.store(
                    kept.stream()
                            .map(e -> new PoolImports.Example(
                                    e.record().instruction(),
                                    e.record().input(),
                                    e.record().output()))
                            .toList(),
                    language.code());
            return new ImportReport(kept.size(), skipped, parsed.invalid());
        });
    }

    private List<AlpacaReader.Entry> duplicates(
            List<AlpacaReader.Entry> records,
            PoolLanguage language,
            double threshold,
            List<ImportReport.Skipped> skipped) {
        return new ImportDedup(language.tokenizer(), threshold, imports.poolTexts(language.code()))
                .keep(records, skipped);
    }
}
