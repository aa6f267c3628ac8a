package io.selfinstruct.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The layer's Micrometer meters, tagged by model and api:
 * {@code llm.calls} (outcome succeeded | failed | replayed | budget_reached),
 * {@code llm.requests} (HTTP attempts), {@code llm.errors} and {@code llm.retries} (kind),
 * {@code llm.tokens} (type prompt | completion), {@code llm.cost} (USD) and the {@code llm.latency}
 * histogram of attempts (outcome success | error).
 */
final class LlmMetrics {

    private final MeterRegistry registry;
    private final String model;
    private final String api;

    LlmMetrics(MeterRegistry registry, LlmSettings settings) {
        this.registry = registry;
        this.model = settings.model();
        this.api = settings.api().wireName();
    }

    void call(String outcome) {
        counter("llm.calls", "outcome", outcome).increment();
    }

    void attempt(Duration latency, boolean success) {
        counter("llm.requests", "outcome", success ? "success" : "error").increment();
        Timer.builder("llm.latency")
                .description("latency of one HTTP attempt")
                .tags("model", model, "api", api, "outcome", success ? "success" : "error")
                .publishPercentileHistogram()
                .register(registry)
                .record(latency);
    }

    void error(FailureKind kind) {
        counter("llm.errors", "kind", kind.tag()).increment();
    }

    void retry(FailureKind kind) {
        counter("llm.retries", "kind", kind.tag()).increment();
    }

    void usage(long promptTokens, long completionTokens, double costUsd) {
        counter("llm.tokens", "type", "prompt").increment(promptTokens);
        counter("llm.tokens", "type", "completion").increment(completionTokens);
        Counter.builder("llm.cost")
                .baseUnit("usd")
                .tags("model", model, "api", api)
                .register(registry)
                .increment(costUsd);
    }

    private Counter counter(String name, String tag, String value) {
        return Counter.builder(name)
                .tags("model", model, "api", api, tag, value)
                .register(registry);
    }
}
