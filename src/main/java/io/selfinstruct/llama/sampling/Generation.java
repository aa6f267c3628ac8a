package io.selfinstruct.llama.sampling;

import java.util.List;

/**
 * A finished generation: the new token ids (eos and the tokens of a stop string included, as transformers
 * returns them), their text (cut before a stop string, special tokens skipped), why it stopped, and when asked
 * for, every step's raw logits and processed scores (transformers' {@code output_logits} and, for greedy
 * decoding, {@code output_scores}: after sequence bias, repetition penalty and bad words).
 */
public record Generation(
        long[] tokenIds, String text, FinishReason finishReason, List<float[]> stepLogits, List<float[]> stepScores) {

    public enum FinishReason {
        EOS,
        STOP_STRING,
        LENGTH
    }
}
