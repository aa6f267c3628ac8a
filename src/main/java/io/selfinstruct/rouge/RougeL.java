package io.selfinstruct.rouge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ROUGE-L of one pair, as rouge_score's {@code RougeScorer(["rougeL"]).score(target, prediction)["rougeL"]}.
 */
public final class RougeL {

    /**
     * Self-instruct's rule: a new instruction joins the pool only when its ROUGE-L F-measure with every pool
     * instruction is at most this (the reference keeps those below 0.7; a score of exactly 0.7 is kept here, as
     * its Alpaca port does). The default of every threshold in the service.
     */
    public static final double SELF_INSTRUCT_THRESHOLD = 0.7;

    private RougeL() {}

    /** Scores with the default (rouge_score) tokenizer. */
    public static RougeScore score(String target, String prediction) {
        return score(target, prediction, RougeTokenizer.DEFAULT);
    }

    /**
     * @param target rouge_score's target (reference): recall is measured against it
     * @param prediction rouge_score's prediction: precision is measured against it
     */
    public static RougeScore score(String target, String prediction, RougeTokenizer tokenizer) {
        List<String> targetTokens = tokenizer.tokenize(target);
        List<String> predictionTokens = tokenizer.tokenize(prediction);
        Map<String, Integer> ids = new HashMap<>();
        int[] t = encode(targetTokens, ids);
        int[] p = encode(predictionTokens, ids);
        if (t.length == 0 || p.length == 0) {
            return RougeScore.ZERO;
        }
        int[] shorter = t.length <= p.length ? t : p;
        try (CandidateLcs lcs = new CandidateLcs(shorter)) {
            return RougeScore.of(lcs.lcs(shorter == t ? p : t), t.length, p.length);
        }
    }

    private static int[] encode(List<String> tokens, Map<String, Integer> ids) {
        int[] encoded = new int[tokens.size()];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = ids.computeIfAbsent(tokens.get(i), k -> ids.size());
        }
        return encoded;
    }
}
