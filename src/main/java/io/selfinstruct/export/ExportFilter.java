package io.selfinstruct.export;

import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which records an export holds. Pool instructions are chosen by status, origins, batch, classification,
 * creation time ({@code from} inclusive, {@code to} exclusive) and language; seed tasks of {@code seedSet} are
 * added when {@code includeSeeds}, chosen by classification only (they have no batch, status or date).
 * Null fields do not filter.
 */
public record ExportFilter(InstructionStatus status, Set<Origin> origins, Long batchId, Boolean classification,
        Instant from, Instant to, String language, boolean includeSeeds, String seedSet) {

    /** Like the reference generators: every accepted generated or imported item, seed tasks left out. */
    public static final Set<Origin> DEFAULT_ORIGINS = EnumSet.of(Origin.GENERATED, Origin.IMPORTED);

    public ExportFilter {
        status = status == null ? InstructionStatus.ACCEPTED : status;
        origins = origins == null || origins.isEmpty() ? DEFAULT_ORIGINS : Set.copyOf(origins);
        seedSet = seedSet == null || seedSet.isBlank() ? "default" : seedSet;
        // an HTML form sends an unset filter as an empty value
        language = language == null || language.isBlank() ? null : language.strip();
    }

    public static ExportFilter accepted() {
        return new ExportFilter(null, null, null, null, null, null, null, false, null);
    }

    public ExportFilter withSeeds(String seedSet) {
        return new ExportFilter(status, origins, batchId, classification, from, to, language, true, seedSet);
    }
}
