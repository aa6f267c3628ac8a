package io.selfinstruct.llm;

import java.util.Locale;

/** Which OpenAI endpoint a batch talks to. */
public enum LlmApi {
    /** {@code /chat/completions}: the prompt goes in a user message after a short system instruction. */
    CHAT,
    /** {@code /completions}: the raw prompt, as the original method used with davinci; base models need it. */
    COMPLETIONS;

    public static LlmApi parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "chat" -> CHAT;
            case "completions", "completion" -> COMPLETIONS;
            default -> throw new IllegalArgumentException("api must be 'chat' or 'completions', not '" + value + "'");
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
