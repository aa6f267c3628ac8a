package io.selfinstruct.llama.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * transformers' {@code SequenceBiasLogitsProcessor} (4.46), and {@code NoBadWordsLogitsProcessor}, which is the
 * same with a bias of -inf. A sequence of length 1 is biased at every step. A longer one biases its last token
 * when the context ends with its other tokens, and is skipped while it is longer than the context. Sequences are
 * keyed like transformers' dict: a repeated sequence keeps its first place and its last bias. The biases of one
 * step are summed per token in float (one-token sequences first, then the others in order) and then added.
 */
final class SequenceBiasProcessor {

    private final List<long[]> sequences;
    private final float[] biases;
    private int checkedVocabulary = -1;

    private SequenceBiasProcessor(Map<List<Long>, Float> keyed) {
        this.sequences = new ArrayList<>();
        this.biases = new float[keyed.size()];
        int i = 0;
        for (Map.Entry<List<Long>, Float> e : keyed.entrySet()) {
            sequences.add(e.getKey().stream().mapToLong(Long::longValue).toArray());
            biases[i++] = e.getValue();
        }
    }

    static SequenceBiasProcessor of(List<SequenceBias> entries) {
        Map<List<Long>, Float> keyed = new LinkedHashMap<>();
        for (SequenceBias entry : entries) {
            keyed.put(key(entry.tokenIds()), entry.bias());
        }
        return new SequenceBiasProcessor(keyed);
    }

    /** Bad words as transformers bans them: bias -inf, except that a sequence made of one eos token is dropped. */
    static SequenceBiasProcessor badWords(List<long[]> badWords, Set<Long> eosTokenIds) {
        Map<List<Long>, Float> keyed = new LinkedHashMap<>();
        for (long[] ids : badWords) {
            check(ids);
            if (ids.length > 1 || !eosTokenIds.contains(ids[0])) {
                keyed.put(key(ids), Float.NEGATIVE_INFINITY);
            }
        }
        return new SequenceBiasProcessor(keyed);
    }

    static void check(long[] tokenIds) {
        if (tokenIds == null || tokenIds.length == 0) {
            throw new IllegalArgumentException("a biased or banned sequence needs at least one token");
        }
        if (Arrays.stream(tokenIds).anyMatch(id -> id < 0)) {
            throw new IllegalArgumentException("token ids are not negative: " + Arrays.toString(tokenIds));
        }
    }

    /** Adds to {@code scores} (in place) the biases that apply after {@code context}, the prompt and tokens so far. */
    void apply(float[] scores, long[] context) {
        if (sequences.isEmpty()) {
            return;
        }
        checkVocabulary(scores.length);
        Map<Integer, Float> bias = new HashMap<>();
        for (int s = 0; s < sequences.size(); s++) {
            long[] seq = sequences.get(s);
            if (seq.length == 1) {
                bias.put((int) seq[0], biases[s]);
            }
        }
        for (int s = 0; s < sequences.size(); s++) {
            long[] seq = sequences.get(s);
            if (seq.length > 1 && seq.length <= context.length && endsWithPrefix(context, seq)) {
                bias.merge((int) seq[seq.length - 1], biases[s], Float::sum);
            }
        }
        bias.forEach((token, b) -> scores[token] += b);
    }

    /** Whether {@code context} ends with all of {@code seq} but its last token. */
    private static boolean endsWithPrefix(long[] context, long[] seq) {
        int prefix = seq.length - 1;
        int start = context.length - prefix;
        for (int j = 0; j < prefix; j++) {
            if (context[start + j] != seq[j]) {
                return false;
            }
        }
        return true;
    }

    private void checkVocabulary(int vocabulary) {
        if (vocabulary == checkedVocabulary) {
            return;
        }
        for (long[] seq : sequences) {
            for (long id : seq) {
                if (id >= vocabulary) {
                    throw new IllegalArgumentException("the vocabulary has " + vocabulary
                            + " tokens, but a biased or banned sequence holds token id " + id);
                }
            }
        }
        checkedVocabulary = vocabulary;
    }

    private static List<Long> key(long[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
