package io.selfinstruct.llm;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Service-wide defaults of the LLM layer ({@code selfinstruct.llm.*}); a batch overrides them through
 * {@link LlmSettings}.
 *
 * @param apiKey              API key; blank: {@code OPENAI_API_KEY}, and a dummy key when that is unset too, so
 *                            a local server without authentication works
 * @param baseUrl             base URL of an OpenAI-compatible API; blank: {@code OPENAI_BASE_URL}, else OpenAI
 * @param model               default model
 * @param api                 {@code chat} or {@code completions} (the legacy endpoint base models need)
 * @param concurrency         requests in flight per batch
 * @param requestsPerMinute   client-side request rate limit per batch; 0 = none
 * @param tokensPerMinute     client-side token rate limit per batch (prompt + max completion); 0 = none
 * @param connectTimeout      TCP connect timeout
 * @param requestTimeout      limit on one whole HTTP request, body included
 * @param maxAttempts         HTTP attempts per call before it fails (first try included)
 * @param maxMalformedAttempts of those, how many may end in a response that is not valid JSON or has no choices
 * @param initialBackoff      first retry wait; doubles per retry, with jitter
 * @param maxBackoff          cap of the computed wait (a longer {@code Retry-After} is still honoured)
 * @param prices              USD per 1M tokens by model name (or name prefix); merged over the built-in table
 * @param batchPriceFactor    what the provider's Batch API costs relative to online calls (OpenAI: half)
 * @param batchPollInterval   how often a Batch API wave in flight is polled
 */
@ConfigurationProperties("selfinstruct.llm")
public record LlmProperties(
        String apiKey,
        String baseUrl,
        String model,
        String api,
        Integer concurrency,
        Integer requestsPerMinute,
        Integer tokensPerMinute,
        Duration connectTimeout,
        Duration requestTimeout,
        Integer maxAttempts,
        Integer maxMalformedAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Map<String, ModelPrice> prices,
        Double batchPriceFactor,
        Duration batchPollInterval) {

    static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

    /** Local servers ignore the key, but the client insists on having one. */
    static final String DUMMY_KEY = "sk-no-key-required";

    /** List prices (USD per 1M input / output tokens) of common OpenAI models at the time of writing. */
    static final Map<String, ModelPrice> DEFAULT_PRICES = Map.ofEntries(
            Map.entry("gpt-4o-mini", new ModelPrice(0.15, 0.60)),
            Map.entry("gpt-4o", new ModelPrice(2.50, 10.00)),
            Map.entry("gpt-4.1", new ModelPrice(2.00, 8.00)),
            Map.entry("gpt-4.1-mini", new ModelPrice(0.40, 1.60)),
            Map.entry("gpt-4.1-nano", new ModelPrice(0.10, 0.40)),
            Map.entry("gpt-4-turbo", new ModelPrice(10.00, 30.00)),
            Map.entry("gpt-4", new ModelPrice(30.00, 60.00)),
            Map.entry("gpt-3.5-turbo", new ModelPrice(0.50, 1.50)),
            Map.entry("gpt-3.5-turbo-instruct", new ModelPrice(1.50, 2.00)),
            Map.entry("gpt-5", new ModelPrice(1.25, 10.00)),
            Map.entry("gpt-5-mini", new ModelPrice(0.25, 2.00)),
            Map.entry("gpt-5-nano", new ModelPrice(0.05, 0.40)),
            Map.entry("o1", new ModelPrice(15.00, 60.00)),
            Map.entry("o3", new ModelPrice(2.00, 8.00)),
            Map.entry("o3-mini", new ModelPrice(1.10, 4.40)),
            Map.entry("o4-mini", new ModelPrice(1.10, 4.40)),
            Map.entry("davinci-002", new ModelPrice(2.00, 2.00)),
            Map.entry("babbage-002", new ModelPrice(0.40, 0.40)));

    public LlmProperties {
        apiKey = firstNonBlank(apiKey, System.getenv("OPENAI_API_KEY"), DUMMY_KEY);
        baseUrl = firstNonBlank(baseUrl, System.getenv("OPENAI_BASE_URL"), OPENAI_BASE_URL);
        model = firstNonBlank(model, "gpt-4o-mini");
        api = firstNonBlank(api, "chat");
        concurrency = concurrency == null ? 8 : concurrency;
        requestsPerMinute = requestsPerMinute == null ? 0 : requestsPerMinute;
        tokensPerMinute = tokensPerMinute == null ? 0 : tokensPerMinute;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(120) : requestTimeout;
        maxAttempts = maxAttempts == null ? 6 : maxAttempts;
        maxMalformedAttempts = maxMalformedAttempts == null ? 3 : maxMalformedAttempts;
        initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(60) : maxBackoff;
        Map<String, ModelPrice> merged = new HashMap<>(DEFAULT_PRICES);
        if (prices != null) {
            merged.putAll(prices);
        }
        prices = Map.copyOf(merged);
        batchPriceFactor = batchPriceFactor == null ? 0.5 : batchPriceFactor;
        batchPollInterval = batchPollInterval == null ? Duration.ofSeconds(30) : batchPollInterval;
    }

    /** All defaults, as when nothing is configured. */
    public static LlmProperties defaults() {
        return new LlmProperties(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The price of a model: an exact entry, else the longest entry the name starts with (so dated snapshots
     * such as {@code gpt-4o-mini-2024-07-18} find their family), else free: unknown and local models cost 0.
     */
    public ModelPrice priceOf(String modelName) {
        ModelPrice exact = prices.get(modelName);
        if (exact != null) {
            return exact;
        }
        return prices.entrySet().stream()
                .filter(e -> modelName.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue)
                .orElse(ModelPrice.FREE);
    }

    /** The service defaults as the settings of a batch that overrides nothing. */
    public LlmSettings toSettings() {
        return new LlmSettings(
                null,
                model,
                LlmApi.parse(api),
                baseUrl,
                concurrency,
                requestsPerMinute,
                tokensPerMinute,
                null,
                connectTimeout,
                requestTimeout,
                maxAttempts,
                maxMalformedAttempts,
                initialBackoff,
                maxBackoff,
                null,
                false,
                false);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
