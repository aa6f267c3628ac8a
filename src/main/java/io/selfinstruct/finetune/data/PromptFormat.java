package io.selfinstruct.finetune.data;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.ModelTokenizer;
import java.util.List;

/**
 * How an example becomes text: the Alpaca prompt (alpaca-lora's template) or the model's own chat template,
 * with the instruction and input as the user turn. The prompt is what {@code trainOnInputs=false} masks.
 */
public enum PromptFormat {
    ALPACA,
    CHAT;

    /** The prompt ids, special tokens included (bos for Alpaca; whatever the chat template writes). */
    public long[] promptIds(ModelTokenizer tokenizer, String instruction, String input) {
        if (this == ALPACA) {
            return tokenizer.encode(AlpacaTemplate.prompt(instruction, input));
        }
        String user = input == null || input.isEmpty() ? instruction : instruction + "\n\n" + input;
        return tokenizer.encodeChat(List.of(new ChatTemplate.Message("user", user)));
    }

    /** The response ids, without special tokens: the caller appends eos. */
    public long[] responseIds(ModelTokenizer tokenizer, String output) {
        return tokenizer.encodeWithoutSpecialTokens(output);
    }

    public static PromptFormat parse(String name) {
        if (name == null || name.isBlank()) {
            return ALPACA;
        }
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "alpaca" -> ALPACA;
            case "chat" -> CHAT;
            default -> throw new IllegalArgumentException("template must be alpaca or chat, not " + name);
        };
    }
}
