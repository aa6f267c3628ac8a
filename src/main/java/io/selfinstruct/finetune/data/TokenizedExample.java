package io.selfinstruct.finetune.data;

import io.selfinstruct.llama.NextTokenLoss;

/**
 * Token ids and their labels (same length); a label of -100 is left out of the loss. A packed row holds several
 * examples, beginning at {@code starts} (ascending, the first 0); an ordinary example is one, {@code {0}}.
 */
public record TokenizedExample(long[] ids, long[] labels, int[] starts) {

    public TokenizedExample {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException("ids and labels differ in length");
        }
        if (starts.length == 0 || starts[0] != 0) {
            throw new IllegalArgumentException("the first example of a row starts at 0");
        }
        for (int i = 1; i < starts.length; i++) {
            if (starts[i] <= starts[i - 1] || starts[i] >= ids.length) {
                throw new IllegalArgumentException("example starts must ascend inside the row");
            }
        }
    }

    /** One example. */
    public TokenizedExample(long[] ids, long[] labels) {
        this(ids, labels, new int[] {0});
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

    /**
     * The attention mask the model takes for this row: the number (1, 2, ...) of the example each token belongs
     * to, so packed examples attend only within themselves and their positions restart (see
     * {@code LlamaModel.forward}); all ones for an ordinary example.
     */
    public long[] exampleNumbers() {
        long[] numbers = new long[ids.length];
        int example = 0;
        for (int i = 0; i < ids.length; i++) {
            if (example < starts.length && starts[example] == i) {
                example++;
            }
            numbers[i] = example;
        }
        return numbers;
    }
}
