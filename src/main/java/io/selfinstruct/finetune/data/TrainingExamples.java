package io.selfinstruct.finetune.data;

import io.selfinstruct.pool.PoolExamples;
import io.selfinstruct.pool.PoolFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Component;

/**
 * What a job trains on: the accepted instances of the pool instructions its filter chooses, or the records of an
 * alpaca data file, taken once as a {@link DataSnapshot} and read back from it when the job resumes.
 */
@Component
@RequiredArgsConstructor
public class TrainingExamples {

    private final PoolExamples pool;

    /** @param dataFile an alpaca file to read instead of the pool, or null */
    public DataSnapshot take(PoolFilter filter, Path dataFile) {
        List<Long> ids = new ArrayList<>();
        List<Example> examples = new ArrayList<>();
        if (dataFile != null) {
            examples.addAll(AlpacaFile.read(dataFile));
            for (long i = 0; i < examples.size(); i++) {
                ids.add(i);
            }
        } else {
            pool.forEachIdentified(filter, PoolExamples.Instances.ACCEPTED, (id, instruction, input, output) -> {
                ids.add(id);
                examples.add(new Example(instruction, input, output));
            });
        }
        return DataSnapshot.of(ids, examples);
    }

    /**
     * The snapshot's examples read again: the same pool instances whatever their status now (or the same records of
     * the data file), checked against the snapshot's hash.
     *
     * @throws IllegalStateException when an example is gone or its text changed since the snapshot
     */
    public DataSnapshot restore(List<Long> ids, String sha256, Path dataFile) {
        List<Example> examples = new ArrayList<>(ids.size());
        int missing = 0;
        if (dataFile != null) {
            List<Example> records = AlpacaFile.read(dataFile);
            for (long id : ids) {
                if (id < records.size()) {
                    examples.add(records.get((int) id));
                } else {
                    missing++;
                }
            }
        } else {
            Map<Long, Example> found = new HashMap<>();
            pool.forIds(
                    ids, (id, instruction, input, output) -> found.put(id, new Example(instruction, input, output)));
            for (long id : ids) {
                Example example = found.get(id);
                if (example == null) {
                    missing++;
                } else {
                    examples.add(example);
                }
            }
        }
        String source = dataFile != null ? "the data file's records" : "the pool's instances";
        if (missing > 0) {
            throw new IllegalStateException(
                    missing + " of the job's " + ids.size() + " snapshot examples are gone from " + source
                            + " since it started; it cannot resume on the same data (submit it again)");
        }
        DataSnapshot snapshot = DataSnapshot.of(ids, examples);
        if (!snapshot.sha256().equals(sha256)) {
            throw new IllegalStateException("the text of " + source + " in the job's snapshot changed since it started"
                    + " (sha256 " + snapshot.sha256() + ", snapshot " + sha256
                    + "); it cannot resume on the same data (submit it again)");
        }
        return snapshot;
    }
}
