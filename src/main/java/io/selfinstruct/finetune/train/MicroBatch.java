package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.llama.NextTokenLoss;
import java.util.Arrays;
import java.util.List;

/**
 * Right-pads examples to the longest one: ids (pad 0), attention mask (0 on padding, else the number of the
 * packed example a token belongs to: 1 throughout an unpacked row) and labels (-100 on padding).
 */
public final class MicroBatch {

    private MicroBatch() {}

    /** {@code (ids, mask, labels)}, each (batch, longest) int64. */
    public static NDList collate(List<TokenizedExample> examples, NDManager manager) {
        int width = examples.stream().mapToInt(TokenizedExample::length).max().orElse(0);
        int rows = examples.size();
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] labels = new long[rows * width];
        Arrays.fill(labels, NextTokenLoss.IGNORE_INDEX);
        for (int b = 0; b < rows; b++) {
            TokenizedExample e = examples.get(b);
            System.arraycopy(e.ids(), 0, ids, b * width, e.length());
            System.arraycopy(e.labels(), 0, labels, b * width, e.length());
            System.arraycopy(e.exampleNumbers(), 0, mask, b * width, e.length());
        }
        Shape shape = new Shape(rows, width);
        return new NDList(manager.create(ids, shape), manager.create(mask, shape), manager.create(labels, shape));
    }

    public static long tokens(List<TokenizedExample> examples) {
        return examples.stream().mapToLong(TokenizedExample::length).sum();
    }

    /** Targets the loss counts in these examples (see {@link TokenizedExample#targetCount()}). */
    public static long targets(List<TokenizedExample> examples) {
        return examples.stream().mapToLong(TokenizedExample::targetCount).sum();
    }
}
