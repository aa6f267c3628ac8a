package io.selfinstruct.llm;

import java.time.Duration;
import lombok.With;

/**
 * How one batch talks to its LLM. Start from {@link LlmClient#defaults()} (the service configuration) and
 * override what the batch sets.
 *
 * @param batchId              the batch the calls belong to (null outside a batch); its earlier calls count
 *                             against the budget when a batch resumes
 * @param maxCostUsd           stop before the batch's spend would pass this; null = no budget
 * @param requestsPerMinute    0 = no limit
 * @param tokensPerMinute      0 = no limit
 * @param price                the batch's own price of its model, or null for the configured price table
 * @param reuseAnswers         answer a request identical to one stored before (same {@link RequestFingerprint}) from
 *                             that stored call, at no cost, instead of sending it
 * @param batchApi             requests go through the provider's Batch API ({@link LlmSession#batchApi()}) in
 *                             waves: {@link LlmSession#call} answers only what is stored and defers the rest
 * @see LlmProperties for the meaning of the other fields
 */
@With
public record LlmSettings(
        Long batchId,
        String model,
        LlmApi api,
        String baseUrl,
        int concurrency,
        int requestsPerMinute,
        int tokensPerMinute,
        Double maxCostUsd,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        int maxMalformedAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        ModelPrice price,
        boolean reuseAnswers,
        boolean batchApi) {

    public LlmSettings {
        require(model != null && !model.isBlank(), "model must be set");
        require(api != null, "api must be set");
        require(baseUrl != null && !baseUrl.isBlank(), "baseUrl must be set");
        require(concurrency >= 1, "concurrency must be at least 1");
        require(requestsPerMinute >= 0 && tokensPerMinute >= 0, "rate limits must not be negative");
        require(maxCostUsd == null || maxCostUsd >= 0, "maxCostUsd must not be negative");
        require(isPositive(connectTimeout) && isPositive(requestTimeout), "timeouts must be positive");
        require(maxAttempts >= 1 && maxMalformedAttempts >= 1, "attempt limits must be at least 1");
        require(
                initialBackoff != null
                        && !initialBackoff.isNegative()
                        && maxBackoff != null
                        && !maxBackoff.isNegative(),
                "backoff must not be negative");
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    private static boolean isPositive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
