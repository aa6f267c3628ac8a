package io.selfinstruct.evaluate;

import io.selfinstruct.cluster.InstanceId;
import io.selfinstruct.llm.CostBudget;
import io.selfinstruct.llm.LlmClient;
import io.selfinstruct.llm.LlmSession;
import io.selfinstruct.llm.LlmSettings;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.llm.ModelPrice;
import io.selfinstruct.llm.SelfEndpoint;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import lombok.RequiredArgsConstructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Claims evaluations and keeps their claims alive, as batches are claimed: a claim is one conditional UPDATE that
 * takes an evaluation only when nobody holds it or its holder's heartbeat is stale, so a restarted instance (or
 * another one on the same database) continues a run whose holder died.
 */
@RequiredArgsConstructor
@Component
class EvaluationScheduler {

    private static final Logger log = LoggerFactory.getLogger(EvaluationScheduler.class);

    private final EvaluationStore store;
    private final Evaluations evaluations;
    private final JudgePrompts prompts;
    private final LlmClient llm;
    private final LlmUsage usage;
    private final InstanceId instance;
    private final SelfEndpoint self;

    @Value("${selfinstruct.evaluations.claim-timeout:30s}")
    private Duration claimTimeout;

    @Value("${selfinstruct.evaluations.max-running:2}")
    private int maxRunning;

    private final Map<Long, EvaluationRun> running = new ConcurrentHashMap<>();
    private final ExecutorService runs = Executors.newCachedThreadPool();

    @Scheduled(fixedDelayString = "${selfinstruct.evaluations.poll-interval:1s}")
    void tick() {
        running.forEach((id, run) -> {
            if (!store.heartbeat(id, instance.id())) {
                log.info("Evaluation {} is no longer RUNNING here (cancelled or taken over): stopping", id);
                run.halt();
            }
        });
        Instant stale = Instant.now().minus(claimTimeout);
        for (Long id : store.claimable(instance.id(), stale)) {
            if (running.size() >= maxRunning) {
                return;
            }
            if (!running.containsKey(id) && store.claim(id, instance.id(), stale)) {
                try {
                    start(id);
                } catch (RuntimeException e) {
                    log.error("Evaluation {} cannot start", id, e);
                    store.end(id, instance.id(), EvaluationStatus.FAILED, null, "cannot start: " + e.getMessage());
                }
            }
        }
    }

    private void start(long id) {
        EvaluationStore.Row row = store.find(id).orElseThrow();
        EvaluationConfig config = evaluations.config(row);
        EvaluationConfig.ApiKeys keys = evaluations.apiKeys(row);
        double spent = usage.ofRequestKeyPrefix(EvaluationRun.keyPrefix(id)).costUsd();
        CostBudget budget = new CostBudget(config.maxCostUsd(), spent);
        EvaluationRun run = new EvaluationRun(
                id,
                instance.id(),
                config,
                store,
                prompts,
                open(config.a(), keys.a(), budget, config),
                open(config.b(), keys.b(), budget, config),
                open(config.judge(), keys.judge(), budget, config));
        running.put(id, run);
        runs.submit(() -> {
            try {
                run.run();
            } finally {
                running.remove(id);
            }
        });
    }

    private LlmSession open(ModelRef model, String apiKey, CostBudget budget, EvaluationConfig config) {
        LlmSettings settings = llm.defaults()
                .withModel(model.model())
                .withApi(io.selfinstruct.llm.LlmApi.CHAT)
                .withBaseUrl(model.self() ? self.url() : model.baseUrl())
                .withConcurrency(config.concurrency())
                .withMaxCostUsd(config.maxCostUsd());
        if (model.self()) {
            settings = settings.withPrice(ModelPrice.FREE);
            apiKey = self.apiKey();
        }
        return llm.openChat(settings, apiKey, budget);
    }

    /** A clean shutdown stops the runs and releases their claims; they stay RUNNING and resume at next start. */
    @PreDestroy
    void shutdown() throws InterruptedException {
        running.values().forEach(EvaluationRun::halt);
        runs.shutdown();
        runs.awaitTermination(30, TimeUnit.SECONDS);
    }
}
