package io.selfinstruct.finetune.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs consecutive short examples into sequences of at most {@code cutoffLen} tokens, each keeping its own
 * labels, so fewer pad tokens are computed (XTuner's {@code pack_to_max_length}). Attention is not reset at
 * example boundaries, as in XTuner without variable-length attention.
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
        int at = 0;
        for (TokenizedExample part : parts) {
            System.arraycopy(part.ids(), 0, ids, at, part.length());
            System.arraycopy(part.labels(), 0, labels, at, part.length());
            at += part.length();
        }
        return new TokenizedExample(ids, labels);
    }
}
