package io.selfinstruct.finetune.train;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a step's loss is normalised when its examples come in several micro-batches (gradient accumulation). The
 * reported step loss is the loss whose gradient the step applies.
 */
public enum LossNormalization {

    /**
     * The summed token loss of the whole step divided by the step's number of trained (shifted, not -100)
     * targets: every target weighs the same, however the examples fall into micro-batches. transformers from 4.46
     * ({@code num_items_in_batch}) and Unsloth do this. The default.
     */
    TOKENS("tokens"),

    /**
     * The mean of the micro-batch means, each over its own targets: a micro-batch of a few response tokens weighs
     * as much as a full one. transformers' Trainer before 4.46.
     */
    MICRO_BATCH_MEAN("microBatchMean");

    private final String option;

    LossNormalization(String option) {
        this.option = option;
    }

    /** The name in a job request. */
    public String option() {
        return option;
    }

    /** The normalization with this request name (case ignored). */
    public static Optional<LossNormalization> parse(String option) {
        return Arrays.stream(values())
                .filter(n -> n.option.equalsIgnoreCase(option.strip()))
                .findFirst();
    }

    /** What one micro-batch's summed loss is divided by. */
    double divisor(long microBatchTargets, long stepTargets, int microBatches) {
        return this == TOKENS ? stepTargets : (double) microBatchTargets * microBatches;
    }
}
