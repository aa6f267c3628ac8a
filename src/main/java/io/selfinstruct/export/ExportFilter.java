package io.selfinstruct.export;

import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import io.selfinstruct.pool.PoolFilter;
import io.selfinstruct.seed.SeedSets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which records an export holds: the pool instructions {@code pool} chooses (status ACCEPTED and origins
 * GENERATED and IMPORTED unless it says otherwise), plus the seed tasks of {@code seedSet} when
 * {@code includeSeeds}, chosen by the classification filter only (they have no batch, status or date).
 */
public record ExportFilter(PoolFilter pool, boolean includeSeeds, String seedSet) {

    /** Like the reference generators: every accepted generated or imported item, seed tasks left out. */
    public static final Set<Origin> DEFAULT_ORIGINS = EnumSet.of(Origin.GENERATED, Origin.IMPORTED);

    public ExportFilter {
        pool = pool == null ? PoolFilter.all() : pool;
        if (pool.status() == null || pool.origins().isEmpty()) {
            pool = new PoolFilter(
                    pool.text(),
                    pool.status() == null ? InstructionStatus.ACCEPTED : pool.status(),
                    pool.origins().isEmpty() ? DEFAULT_ORIGINS : pool.origins(),
                    pool.batchId(),
                    pool.classification(),
                    pool.from(),
                    pool.to(),
                    pool.language());
        }
        seedSet = seedSet == null || seedSet.isBlank() ? SeedSets.DEFAULT_SET : seedSet;
    }

    public static ExportFilter accepted() {
        return new ExportFilter(null, false, null);
    }
}
