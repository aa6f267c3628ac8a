package io.selfinstruct.finetune.data;

import io.selfinstruct.pool.PoolExamples;
import io.selfinstruct.pool.PoolFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What a job trains on: the accepted instances of the pool instructions its filter chooses, or the records of an
 * alpaca data file.
 */
@Component
public class TrainingExamples {

    private final PoolExamples pool;

    public TrainingExamples(PoolExamples pool) {
        this.pool = pool;
    }

    /** @param dataFile an alpaca file to read instead of the pool, or null */
    public List<Example> load(PoolFilter filter, Path dataFile) {
        if (dataFile != null) {
            return AlpacaFile.read(dataFile);
        }
        List<Example> examples = new ArrayList<>();
        pool.forEach(
                filter,
                PoolExamples.Instances.ACCEPTED,
                (instruction, input, output) -> examples.add(new Example(instruction, input, output)));
        return examples;
    }
}
