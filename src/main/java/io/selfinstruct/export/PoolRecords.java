package io.selfinstruct.export;

import io.selfinstruct.pool.PoolExamples;
import io.selfinstruct.seed.SeedSets;
import io.selfinstruct.seed.SeedTaskLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The records an export holds: the pool's examples as {@link PoolExamples} streams them, then the seed tasks'
 * when the filter includes them.
 */
@Component
public class PoolRecords {

    /** Receives each record; may write to a client and so fail with I/O. */
    @FunctionalInterface
    public interface Sink {
        void accept(ExportRecord record) throws IOException;
    }

    private final PoolExamples pool;
    private final SeedSets seedSets;

    public PoolRecords(PoolExamples pool, SeedSets seedSets) {
        this.pool = pool;
        this.seedSets = seedSets;
    }

    public long count(ExportFilter filter) {
        return pool.count(filter.pool(), PoolExamples.Instances.OF_STATUS)
                + seedRecords(filter).size();
    }

    public void forEach(ExportFilter filter, Sink sink) {
        pool.forEach(
                filter.pool(),
                PoolExamples.Instances.OF_STATUS,
                (instruction, input, output) -> sink.accept(new ExportRecord(instruction, input, output)));
        for (ExportRecord seed : seedRecords(filter)) {
            try {
                sink.accept(seed);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Seed sets are a few hundred tasks at most, so they are read whole; every instance is exported unfiltered. */
    private List<ExportRecord> seedRecords(ExportFilter filter) {
        if (!filter.includeSeeds()) {
            return List.of();
        }
        Boolean classification = filter.pool().classification();
        List<ExportRecord> records = new ArrayList<>();
        for (SeedTaskLine task : seedSets.tasks(filter.seedSet())) {
            if (classification != null && task.isClassification() != classification) {
                continue;
            }
            for (SeedTaskLine.Example instance : task.instances()) {
                records.add(new ExportRecord(
                        task.instruction(),
                        instance.input() == null ? "" : instance.input(),
                        instance.output() == null ? "" : instance.output()));
            }
        }
        return records;
    }
}
