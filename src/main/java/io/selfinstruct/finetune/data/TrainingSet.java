package io.selfinstruct.finetune.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The examples a run trains on and the held-out validation examples (a seeded random split). */
public record TrainingSet(List<TokenizedExample> train, List<TokenizedExample> validation) {

    public TrainingSet {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    /** Shuffles with {@code seed}, keeps {@code valSetSize} for validation, packs the rest when asked. */
    public static TrainingSet split(
            List<TokenizedExample> examples, int valSetSize, long seed, boolean packing, int cutoffLen) {
        if (valSetSize >= examples.size()) {
            throw new IllegalArgumentException(
                    "valSetSize " + valSetSize + " leaves no training examples out of " + examples.size());
        }
        List<TokenizedExample> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new Random(seed));
        List<TokenizedExample> validation = shuffled.subList(0, valSetSize);
        List<TokenizedExample> train = shuffled.subList(valSetSize, shuffled.size());
        return new TrainingSet(packing ? Packing.pack(train, cutoffLen) : train, validation);
    }
}
