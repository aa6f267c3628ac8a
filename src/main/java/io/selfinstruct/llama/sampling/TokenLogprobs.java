package io.selfinstruct.llama.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * One step's log probabilities as OpenAI's {@code logprobs} reports them: the chosen token's, and the {@code top}
 * most likely tokens', taken from the log_softmax of the model's raw logits (vLLM's default {@code raw_logprobs}:
 * before sequence bias, repetition penalty, bad words, temperature, top-k and top-p).
 *
 * @param top most likely first, ties by token id
 */
public record TokenLogprobs(long token, double logprob, List<Candidate> top) {

    public record Candidate(long token, double logprob) {}

    /** The log_softmax of {@code logits} at {@code token}, and its {@code top} largest entries. */
    public static TokenLogprobs of(float[] logits, long token, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        double logZ = max + Math.log(sum);
        List<Candidate> best = new ArrayList<>();
        for (int i = 0; i < logits.length && top > 0; i++) {
            if (best.size() < top
                    || logits[i] > logits[(int) best.get(best.size() - 1).token()]) {
                int at = best.size();
                while (at > 0 && logits[(int) best.get(at - 1).token()] < logits[i]) {
                    at--;
                }
                best.add(at, new Candidate(i, logits[i] - logZ));
                if (best.size() > top) {
                    best.remove(best.size() - 1);
                }
            }
        }
        return new TokenLogprobs(token, logits[(int) token] - logZ, List.copyOf(best));
    }
}
