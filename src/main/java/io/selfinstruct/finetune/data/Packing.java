package io.selfinstruct.finetune.data;

import io.selfinstruct.llama.NextTokenLoss;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs consecutive short examples into sequences of at most {@code cutoffLen} tokens, so fewer pad tokens are
 * computed. Without contamination: each packed row records where its examples start, the model attends only
 * within an example and restarts positions there (block-diagonal causal attention, as LLaMA-Factory's
 * {@code neat_packing} and torchtune's document masking), and the label at each example's first token is -100 so
 * no target crosses a boundary. A packed row's summed loss is then the sum of its examples' summed losses alone.
 */
public final class Packing {

    private Packing() {}

    public static List<TokenizedExample> pack(List<TokenizedExample> examples, int cutoffLen) {
        List<TokenizedExample> packed = new ArrayList<>();
        List<TokenizedExample> current = new ArrayList<>();
        int length = 0;
        for (TokenizedExample example : examples) {
            if (length + example.length() > cutoffLen && !current.isEmpty()) {
                packed.add(concat(current, length));
                current.clear();
                length = 0;
            }
            current.add(example);
            length += example.length();
        }
        if (!current.isEmpty()) {
            packed.add(concat(current, length));
        }
        return packed;
    }

    private static TokenizedExample concat(List<TokenizedExample> parts, int length) {
        long[] ids = new long[length];
        long[] labels = new long[length];
        int[] starts = new int[parts.size()];
        int at = 0;
        for (int p = 0; p < parts.size(); p++) {
            TokenizedExample part = parts.get(p);
            if (part.starts().length != 1) {
                throw new IllegalArgumentException("a packed row cannot be packed again");
            }
            starts[p] = at;
            System.arraycopy(part.ids(), 0, ids, at, part.length());
            System.arraycopy(part.labels(), 0, labels, at, part.length());
            labels[at] = NextTokenLoss.IGNORE_INDEX; // alone, an example's first token is no target
            at += part.length();
        }
        return new TokenizedExample(ids, labels, starts);
    }
}
