package io.selfinstruct.llm;

import java.util.List;

/**
 * The answer to one call, already stored as LlmCall {@code llmCallId}.
 *
 * @param choices  one per requested completion, in the server's order
 * @param attempts HTTP attempts this call took (on a replay: what the stored call took)
 * @param replayed true when the answer came from an earlier, stored call with the same request key
 */
public record LlmResult(
        List<LlmChoice> choices,
        long promptTokens,
        long completionTokens,
        double costUsd,
        long llmCallId,
        int attempts,
        boolean replayed) {

    public LlmResult {
        choices = List.copyOf(choices);
    }

    /** The first choice's text: what a request with n = 1 is after. */
    public String text() {
        return choices.get(0).text();
    }

    /** The first choice's finish reason, e.g. {@code stop} or {@code length} (cut off by max_tokens). */
    public String finishReason() {
        return choices.get(0).finishReason();
    }

    /** One completion. {@code finishReason} is null when the server did not say. */
    public record LlmChoice(String text, String finishReason) {}
}
