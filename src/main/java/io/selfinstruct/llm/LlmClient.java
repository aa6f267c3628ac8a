package io.selfinstruct.llm;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Opens {@link LlmSession}s: one per batch, with the service configuration as defaults.
 *
 * <pre>{@code
 * try (LlmSession llm = client.open(client.defaults().withBatchId(batch.getId()).withModel("gpt-4o-mini"))) {
 *     LlmResult r = llm.call(new LlmRequest("generate_instructions", "7:gen:42", prompt, sampling));
 * }
 * }</pre>
 */
@Component
public class LlmClient {

    static final String SYSTEM_PROMPT = "prompts/llm_chat_system.txt";

    private final LlmProperties properties;
    private final LlmCallLog log;
    private final MeterRegistry registry;
    private final String systemPrompt;
    private final LlmCallRepository calls;
    private final ProviderBatchRepository waves;
    private final TransactionTemplate transaction;

    /** Without the Batch API (sessions with {@code batchApi} refuse to open): what the LLM tests need. */
    public LlmClient(LlmProperties properties, LlmCallRepository repository, MeterRegistry registry) {
        this(properties, repository, registry, null, null);
    }

    @Autowired
    public LlmClient(
            LlmProperties properties,
            LlmCallRepository repository,
            MeterRegistry registry,
            ProviderBatchRepository waves,
            TransactionTemplate transaction) {
        this.properties = properties;
        this.log = new LlmCallLog(repository);
        this.registry = registry;
        this.systemPrompt = readResource(SYSTEM_PROMPT);
        this.calls = repository;
        this.waves = waves;
        this.transaction = transaction;
    }

    /** The service configuration as batch settings, to override per batch. */
    public LlmSettings defaults() {
        return properties.toSettings();
    }

    public LlmSession open(LlmSettings settings) {
        return open(settings, null);
    }

    /**
     * A batch's session under {@code apiKey} (null: the key rule of {@link #apiKeyFor}); the service's own
     * {@code /v1} is called under the service's key.
     */
    public LlmSession open(LlmSettings settings, String apiKey) {
        String key = apiKey == null || apiKey.isBlank() ? apiKeyFor(settings) : apiKey;
        if (settings.batchApi() && (waves == null || settings.batchId() == null)) {
            throw new IllegalStateException("the Batch API needs a batch and this client's wave table");
        }
        LlmSession session = new LlmSession(settings, key, systemPrompt, priceOf(settings), log, registry, null);
        if (settings.batchApi()) {
            session.useBatchApi(new BatchApi(
                    settings,
                    systemPrompt,
                    session.endpoint(),
                    log,
                    calls,
                    waves,
                    transaction,
                    batchPriceOf(settings)));
        }
        return session;
    }

    /**
     * A chat session outside a batch (an evaluation's answerer or judge): the user's prompt is sent as it is, with
     * no system message, under {@code apiKey} (null: the key rule of batches), and its spend counts against
     * {@code budget}, which other sessions may share. Its calls are stored like a batch's, without a batch id.
     */
    public LlmSession openChat(LlmSettings settings, String apiKey, CostBudget budget) {
        if (settings.batchApi() || settings.api() != LlmApi.CHAT) {
            throw new IllegalArgumentException("a chat session is online and uses the chat API");
        }
        String key = apiKey == null || apiKey.isBlank() ? apiKeyFor(settings) : apiKey;
        return new LlmSession(settings, key, "", priceOf(settings), log, registry, budget);
    }

    /** The batch's own price when it gives one, else the configured price table's for its model. */
    public ModelPrice priceOf(LlmSettings settings) {
        return settings.price() != null ? settings.price() : properties.priceOf(settings.model());
    }

    /** What the provider's Batch API bills: the online price times {@code selfinstruct.llm.batch-price-factor}. */
    public ModelPrice batchPriceOf(LlmSettings settings) {
        return priceOf(settings).times(properties.batchPriceFactor());
    }

    /** How often a Batch API wave in flight is polled. */
    public java.time.Duration batchPollInterval() {
        return properties.batchPollInterval();
    }

    /**
     * The configured key goes only to the configured server: a batch that points elsewhere (its own vLLM, say)
     * must not hand that server the OpenAI key, so it gets the dummy key local servers accept.
     */
    private String apiKeyFor(LlmSettings settings) {
        String configured = trimSlash(properties.baseUrl());
        return configured.equals(settings.baseUrl()) ? properties.apiKey() : LlmProperties.DUMMY_KEY;
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String readResource(String path) {
        try (var in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
