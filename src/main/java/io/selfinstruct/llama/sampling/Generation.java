package io.selfinstruct.llama.sampling;

import java.util.List;

/**
 * A finished generation: the new token ids (eos and the tokens of a stop string included, as transformers
 * returns them), their text (cut before a stop string, special tokens skipped), why it stopped, and the raw
 * logits of every step when asked for.
 */
public record Generation(long[] tokenIds, String text, FinishReason finishReason, List<float[]> stepLogits) {

    public enum FinishReason {
        EOS,
        STOP_STRING,
        LENGTH
    }
}
