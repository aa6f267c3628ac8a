package io.selfinstruct.llm;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

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

    public LlmClient(LlmProperties properties, LlmCallRepository repository, MeterRegistry registry) {
        this.properties = properties;
        this.log = new LlmCallLog(repository);
        this.registry = registry;
        this.systemPrompt = readResource(SYSTEM_PROMPT);
    }

    /** The service configuration as batch settings, to override per batch. */
    public LlmSettings defaults() {
        return properties.toSettings();
    }

    public LlmSession open(LlmSettings settings) {
        return new LlmSession(settings, apiKeyFor(settings), systemPrompt, priceOf(settings), log, registry);
    }

    /** The batch's own price when it gives one, else the configured price table's for its model. */
    public ModelPrice priceOf(LlmSettings settings) {
        return settings.price() != null ? settings.price() : properties.priceOf(settings.model());
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
