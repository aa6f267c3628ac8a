package io.selfinstruct.generate;

import io.selfinstruct.cluster.InstanceId;
import io.selfinstruct.llm.LlmApi;
import io.selfinstruct.llm.LlmClient;
import io.selfinstruct.llm.LlmSession;
import io.selfinstruct.llm.SelfEndpoint;
import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.BatchInstructions;
import io.selfinstruct.seed.SeedSets;
import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import lombok.RequiredArgsConstructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Claims batches and keeps their claims alive. Several instances may share one PostgreSQL: a claim is a single
 * conditional UPDATE (take the batch only if nobody holds it or the holder's heartbeat is stale), which the
 * database applies atomically, so two instances never run the same batch. A run whose heartbeat finds the batch
 * paused, cancelled or claimed by someone else stops.
 */
@RequiredArgsConstructor
@Component
public class BatchScheduler {

    private static final Logger log = LoggerFactory.getLogger(BatchScheduler.class);

    private final JdbcTemplate jdbc;
    private final Batches batches;
    private final BatchRepository repository;
    private final BatchStore store;
    private final BatchInstructions instructions;
    private final LlmClient llm;
    private final PromptTemplates prompts;
    private final Admission admission;
    private final SeedSets seedSets;
    private final BatchProperties properties;
    private final InstanceId instance;
    private final Forecast forecast;
    private final SelfEndpoint selfEndpoint;
    private final Map<Long, BatchRun> running = new ConcurrentHashMap<>();
    private final ExecutorService runs = Executors.newCachedThreadPool();

    public String instanceId() {
        return instance.id();
    }

    @Scheduled(fixedDelayString = "${selfinstruct.batches.poll-interval:1s}")
    public void tick() {
        heartbeat();
        claim();
    }

    private void heartbeat() {
        Timestamp now = Timestamp.from(Instant.now());
        running.forEach((id, run) -> {
            int alive = jdbc.update(
                    "update batch set heartbeat_at = ? where id = ? and claimed_by = ? " + "and status = 'RUNNING'",
                    now,
                    id,
                    instance.id());
            if (alive == 0) {
                log.info("Batch {} is no longer RUNNING here (paused, cancelled or taken over): stopping", id);
                run.halt();
            }
        });
    }

    private void claim() {
        int free = properties.maxRunning() - running.size();
        if (free <= 0) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        Timestamp stale = Timestamp.from(Instant.now().minus(properties.claimTimeout()));
        List<Long> claimable = jdbc.queryForList(
                "select id from batch where status in ('QUEUED', 'RUNNING') and "
                        + "(claimed_by is null or claimed_by = ? or heartbeat_at < ?) order by id",
                Long.class,
                instance.id(),
                stale);
        for (Long id : claimable) {
            if (free == 0) {
                return;
            }
            if (running.containsKey(id)) {
                continue;
            }
            int claimed = jdbc.update(
                    "update batch set claimed_by = ?, heartbeat_at = ?, status = 'RUNNING', "
                            + "status_reason = null, started_at = coalesce(started_at, ?), updated_at = ? where id = ? "
                            + "and status in ('QUEUED', 'RUNNING') and (claimed_by is null or claimed_by = ? or heartbeat_at < ?)",
                    instance.id(),
                    now,
                    now,
                    now,
                    id,
                    instance.id(),
                    stale);
            if (claimed == 1) {
                try {
                    start(id);
                } catch (RuntimeException e) {
                    log.error("Batch {} cannot start", id, e);
                    jdbc.update(
                            "update batch set status = 'FAILED', error = ?, claimed_by = null, finished_at = ?, "
                                    + "updated_at = ? where id = ?",
                            "cannot start: "
                                    + (e instanceof IllegalArgumentException
                                            ? e.getMessage()
                                            : BatchRun.unexpected(id)),
                            now,
                            now,
                            id);
                }
                free--;
            }
        }
    }

    private void start(long id) {
        Batch batch = repository.findById(id).orElseThrow();
        BatchConfig config = batches.config(batch);
        LlmSession session = llm.open(
                llm.defaults()
                        .withBatchId(id)
                        .withModel(config.model())
                        .withApi(LlmApi.parse(config.api()))
                        .withBaseUrl(config.selfTaught() ? selfEndpoint.url() : config.baseUrl())
                        .withConcurrency(config.concurrency())
                        .withRequestsPerMinute(config.requestsPerMinute())
                        .withTokensPerMinute(config.tokensPerMinute())
                        .withMaxCostUsd(config.maxCostUsd())
                        .withPrice(config.price())
                        .withReuseAnswers(config.reuseAnswers())
                        .withBatchApi(config.batchApi()),
                config.selfTaught() ? selfEndpoint.apiKey() : null);
        BatchRun run = new BatchRun(
                id,
                instance.id(),
                config,
                store,
                instructions,
                session,
                prompts,
                admission,
                seedSets.tasks(config.seedSet()),
                forecast,
                llm.batchPollInterval());
        running.put(id, run);
        runs.submit(() -> {
            try {
                run.run();
            } finally {
                running.remove(id);
            }
        });
    }

    /** A clean shutdown stops the runs and releases their claims; they stay RUNNING and resume at next start. */
    @PreDestroy
    void shutdown() throws InterruptedException {
        running.values().forEach(BatchRun::halt);
        runs.shutdown();
        runs.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
