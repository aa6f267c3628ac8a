package io.selfinstruct.finetune.data;

import io.selfinstruct.llama.NextTokenLoss;

/** Token ids and their labels (same length); a label of -100 is left out of the loss. */
public record TokenizedExample(long[] ids, long[] labels) {

    public TokenizedExample {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException("ids and labels differ in length");
        }
    }

    public int length() {
        return ids.length;
    }

    /** Targets the loss counts: labels after the first position that are not ignored. */
    public int targetCount() {
        int count = 0;
        for (int i = 1; i < labels.length; i++) {
            if (labels[i] != NextTokenLoss.IGNORE_INDEX) {
                count++;
            }
        }
        return count;
    }
}
