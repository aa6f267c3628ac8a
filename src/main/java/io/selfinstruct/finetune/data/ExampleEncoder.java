package io.selfinstruct.finetune.data;

import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.NextTokenLoss;
import java.util.Arrays;
import java.util.Optional;

/**
 * Turns an example into ids and labels: prompt ids (at most {@code maxPromptLen}), response ids (at most
 * {@code maxResponseLen}) followed by eos, the whole cut at {@code cutoffLen}. With {@code trainOnInputs} false
 * the prompt positions get label -100, so only the response is learned (as alpaca-lora and XTuner do).
 */
public record ExampleEncoder(
        ModelTokenizer tokenizer,
        PromptFormat format,
        Long eosTokenId,
        int cutoffLen,
        int maxPromptLen,
        int maxResponseLen,
        boolean trainOnInputs) {

    /** Empty when nothing would be learned from the example (its response was cut off entirely). */
    public Optional<TokenizedExample> encode(Example example) {
        long[] prompt = format.promptIds(tokenizer, example.instruction(), example.input());
        long[] response = format.responseIds(tokenizer, example.output());
        prompt = Arrays.copyOf(prompt, Math.min(prompt.length, maxPromptLen));
        response = Arrays.copyOf(response, Math.min(response.length, maxResponseLen));
        if (eosTokenId != null) {
            response = Arrays.copyOf(response, response.length + 1);
            response[response.length - 1] = eosTokenId;
        }
        int length = Math.min(cutoffLen, prompt.length + response.length);
        long[] ids = new long[length];
        long[] labels = new long[length];
        for (int i = 0; i < length; i++) {
            boolean inPrompt = i < prompt.length;
            ids[i] = inPrompt ? prompt[i] : response[i - prompt.length];
            labels[i] = inPrompt && !trainOnInputs ? NextTokenLoss.IGNORE_INDEX : ids[i];
        }
        TokenizedExample encoded = new TokenizedExample(ids, labels);
        return encoded.targetCount() == 0 ? Optional.empty() : Optional.of(encoded);
    }
}
