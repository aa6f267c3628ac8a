package io.selfinstruct.llama.sampling;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/** Chooses the next token from one step's logits, on the host: the vocabulary row is small next to the model. */
public final class Sampler {

    private final GenerationOptions options;
    private final Random random;
    private final SequenceBiasProcessor sequenceBias;
    private final SequenceBiasProcessor badWords;
    /** How often each token was generated so far (chosen here), for the OpenAI penalties; null without them. */
    private int[] generated;

    public Sampler(GenerationOptions options) {
        this.options = options;
        this.random = options.seed() == null ? new Random() : new Random(options.seed());
        this.sequenceBias = SequenceBiasProcessor.of(options.sequenceBias());
        this.badWords = SequenceBiasProcessor.badWords(options.badWords(), options.eosTokenIds());
    }

    /**
     * The logits processors of transformers' generate(), in its order: sequence bias, repetition penalty, bad
     * words. What greedy takes the argmax of (transformers' {@code output_scores} without sampling).
     *
     * @param context the prompt and the tokens generated so far
     */
    public float[] process(float[] logits, long[] context) {
        float[] scores = logits.clone();
        sequenceBias.apply(scores, context);
        applyRepetitionPenalty(scores, context);
        applyOpenAiPenalties(scores);
        badWords.apply(scores, context);
        return scores;
    }

    /**
     * The next token from processed scores: the argmax at temperature 0, else temperature, top-k, top-p, draw.
     * The token counts as generated for the presence and frequency penalties of the next steps.
     */
    public long choose(float[] processed) {
        long token = pick(processed);
        if (options.presencePenalty() != 0 || options.frequencyPenalty() != 0) {
            if (generated == null) {
                generated = new int[processed.length];
            }
            if (token < generated.length) {
                generated[(int) token]++;
            }
        }
        return token;
    }

    private long pick(float[] processed) {
        if (options.temperature() == 0) {
            return argmax(processed);
        }
        float[] scores = processed.clone();
        for (int i = 0; i < scores.length; i++) {
            scores[i] /= (float) options.temperature();
        }
        if (options.topK() > 0 && options.topK() < scores.length) {
            float kth = kthLargest(scores, options.topK());
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] < kth) {
                    scores[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        double[] probs = softmax(scores);
        if (options.topP() < 1) {
            nucleus(probs, options.topP());
        }
        return draw(probs);
    }

    /** OpenAI's rule: {@code logit -= count * frequency_penalty + (count > 0) * presence_penalty}, generated tokens only. */
    private void applyOpenAiPenalties(float[] scores) {
        if (generated == null) {
            return;
        }
        for (int i = 0; i < Math.min(scores.length, generated.length); i++) {
            if (generated[i] > 0) {
                scores[i] -= (float) (generated[i] * options.frequencyPenalty() + options.presencePenalty());
            }
        }
    }

    private void applyRepetitionPenalty(float[] scores, long[] context) {
        double p = options.repetitionPenalty();
        if (p == 1) {
            return;
        }
        Set<Long> seen = new HashSet<>();
        for (long id : context) {
            if (seen.add(id) && id >= 0 && id < scores.length) {
                int i = (int) id;
                scores[i] = (float) (scores[i] < 0 ? scores[i] * p : scores[i] / p);
            }
        }
    }

    static long argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float kthLargest(float[] scores, int k) {
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - k];
    }

    private static double[] softmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] probs = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            probs[i] = Math.exp(scores[i] - max);
            sum += probs[i];
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] /= sum;
        }
        return probs;
    }

    /** Keeps the most likely tokens whose mass first reaches {@code topP} (at least one), zeroes the rest. */
    private static void nucleus(double[] probs, double topP) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double mass = 0;
        int keep = 0;
        while (keep < order.length && (keep == 0 || mass < topP)) {
            mass += probs[order[keep]];
            keep++;
        }
        for (int i = keep; i < order.length; i++) {
            probs[order[i]] = 0;
        }
    }

    private long draw(double[] probs) {
        double total = 0;
        for (double p : probs) {
            total += p;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < probs.length; i++) {
            u -= probs[i];
            if (u < 0 && probs[i] > 0) {
                return i;
            }
        }
        for (int i = probs.length - 1; i >= 0; i--) {
            if (probs[i] > 0) {
                return i;
            }
        }
        return 0;
    }
}
