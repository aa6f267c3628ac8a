package io.selfinstruct.generate;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /api/batches}. Everything but {@code targetInstructions} is optional; {@link
 * BatchConfig#resolve} fills in the method's original values (per mode and language) and the service defaults.
 */
public record BatchRequest(
        @Pattern(regexp = "self-instruct|alpaca", message = "must be self-instruct or alpaca")
        String mode,

        @Size(max = 100) String seedSet,
        @Size(max = 200) String model,

        @Pattern(regexp = "chat|completions", message = "must be chat or completions")
        String api,

        /** An OpenAI-compatible server, or {@code self}: the models this service serves on its own {@code /v1}. */
        @Size(max = 1000) @Pattern(regexp = "self|https?://\\S+", message = "must be an http(s) URL or self")
        String baseUrl,

        @NotNull(message = "is required") @Min(1) @Max(1_000_000)
        Integer targetInstructions,

        @Min(1) @Max(256) Integer concurrency,
        @Min(0) Integer requestsPerMinute,
        @Min(0) Integer tokensPerMinute,
        @DecimalMin("0") @DecimalMax("2") Double temperature,
        @DecimalMin("0") @DecimalMax("1") Double topP,
        @Min(1) @Max(100_000) Integer maxTokens,
        @DecimalMin("-2") @DecimalMax("2") Double presencePenalty,
        @DecimalMin("-2") @DecimalMax("2") Double frequencyPenalty,
        @DecimalMin("0") Double maxCostUsd,

        @Pattern(regexp = "en|zh", message = "must be en or zh")
        String language,

        Long randomSeed,
        @DecimalMin("0") @DecimalMax("1") Double rougeThreshold,
        @Min(0) Integer minLength,
        @Min(1) Integer maxLength,
        @Size(max = 500) List<@Size(min = 1, max = 100) String> blocklist,
        Boolean capitalize,
        Boolean classificationOnly,
        @Min(0) @Max(8) Integer machineInstructionsPerPrompt,
        @Min(1) @Max(5) Integer maxInstancesPerInstruction,
        /** USD per 1M tokens for this batch's model, e.g. a local or unlisted one, instead of the price table. */
        @Valid Price price,

        /** {@code online} (default): one HTTP call per request; {@code batch-api}: the provider's Batch API in waves. */
        @Pattern(regexp = "online|batch-api", message = "must be online or batch-api")
        String delivery,

        /** Answer a request identical to a stored one (model, server, prompt, sampling) from it, at no cost. */
        Boolean reuseAnswers,

        /** Ask steps 2 and 3 for JSON objects following a schema (response_format), chat API only. */
        Boolean structuredOutputs) {

    /** A per-batch price: both parts required, neither negative. */
    public record Price(
            @NotNull(message = "is required") @DecimalMin("0")
            Double inputPerMillion,

            @NotNull(message = "is required") @DecimalMin("0")
            Double outputPerMillion) {}
}
