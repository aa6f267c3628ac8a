package io.selfinstruct.llm;

import java.util.List;
import java.util.Map;

/**
 * Sampling parameters, passed through as the OpenAI API names them; null (or empty) leaves a parameter out
 * so the server's default applies.
 *
 * @param logitBias token id (as a string) to bias in [-100, 100]
 */
public record Sampling(
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Double presencePenalty,
        Double frequencyPenalty,
        Integer n,
        Map<String, Integer> logitBias) {

    public static final Sampling SERVER_DEFAULTS = new Sampling(null, null, null, null, null, null, null, null);

    public Sampling {
        stop = stop == null ? List.of() : List.copyOf(stop);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (n != null && n < 1) {
            throw new IllegalArgumentException("n must be at least 1");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1");
        }
    }

    /** How many completions one request asks for. */
    public int choices() {
        return n == null ? 1 : n;
    }
}
