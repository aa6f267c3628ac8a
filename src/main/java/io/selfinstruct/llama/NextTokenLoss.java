package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Causal LM cross-entropy as transformers computes it from {@code labels}: logits at position t predict label
 * t+1, labels equal to {@link #IGNORE_INDEX} do not count, and the mean is over the counted targets.
 */
public final class NextTokenLoss {

    public static final long IGNORE_INDEX = -100;

    private NextTokenLoss() {}

    /** Mean over all counted targets of the batch: a scalar, differentiable. */
    public static NDArray mean(NDArray logits, NDArray labels) {
        NDList parts = tokenLosses(logits, labels);
        return parts.get(0).sum().div(parts.get(1).sum());
    }

    /**
     * Sum over all counted targets of the batch: a scalar, differentiable. Divided by the targets of a whole
     * optimizer step it is transformers' loss with {@code num_items_in_batch}.
     */
    public static NDArray sum(NDArray logits, NDArray labels) {
        return tokenLosses(logits, labels).get(0).sum();
    }

    /** Per-sequence mean, (batch); NaN for a sequence with no counted target. */
    public static NDArray perSequence(NDArray logits, NDArray labels) {
        NDList parts = tokenLosses(logits, labels);
        return parts.get(0).sum(new int[] {1}).div(parts.get(1).sum(new int[] {1}));
    }

    /** Counted targets per sequence, (batch). */
    public static NDArray targetCounts(NDArray labels) {
        return labels.get(":, 1:")
                .neq(IGNORE_INDEX)
                .toType(DataType.FLOAT32, false)
                .sum(new int[] {1});
    }

    /** Labels for {@code labels=input_ids} with padding (mask 0) ignored. */
    public static NDArray labelsFromInputs(NDArray inputIds, NDArray attentionMask) {
        NDArray keep = attentionMask.toType(DataType.INT64, false);
        return inputIds.mul(keep).add(keep.sub(1).mul(-IGNORE_INDEX));
    }

    /** Negative log-likelihood per shifted position (batch, seq-1) times the count mask, and that mask. */
    private static NDList tokenLosses(NDArray logits, NDArray labels) {
        NDArray shiftedLogits = Precision.fp32(logits).get(":, :-1, :"); // (batch, seq-1, vocab)
        NDArray targets = labels.get(":, 1:").toType(DataType.INT64, false); // (batch, seq-1)
        NDArray counted = targets.neq(IGNORE_INDEX);
        NDArray safeTargets = targets.mul(counted.toType(DataType.INT64, false));
        NDArray logProbs = shiftedLogits.logSoftmax(2);
        NDArray picked = logProbs.gather(safeTargets.expandDims(2), 2).squeeze(2);
        NDArray weight = counted.toType(DataType.FLOAT32, false);
        return new NDList(picked.neg().mul(weight), weight);
    }
}
