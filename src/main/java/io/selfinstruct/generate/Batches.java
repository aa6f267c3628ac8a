package io.selfinstruct.generate;

import io.selfinstruct.llm.LlmApi;
import io.selfinstruct.llm.LlmClient;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.llm.ModelPrice;
import io.selfinstruct.llm.OutboundHosts;
import io.selfinstruct.llm.SelfEndpoint;
import io.selfinstruct.llm.SelfModels;
import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.BatchInstructions;
import io.selfinstruct.pool.BatchPools;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.PoolLanguage;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import io.selfinstruct.seed.SeedSets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Creating batches, reading their progress, and the pause/resume/cancel transitions. */
@RequiredArgsConstructor
@Service
public class Batches implements BatchPools {

    private final BatchRepository repository;
    private final SeedSets seedSets;
    private final LlmClient llm;
    private final OutboundHosts outboundHosts;
    private final SelfEndpoint selfEndpoint;
    private final SelfModels selfModels;
    private final BatchInstructions instructions;
    private final LlmUsage llmUsage;
    private final NamedParameterJdbcTemplate jdbc;
    private final JsonMapper json;
    private final Forecast forecast;

    public BatchView create(BatchRequest request) {
        BatchConfig config = checked(request);
        Batch batch = repository.save(new Batch(
                config.mode(),
                config.seedSet(),
                config.model(),
                config.api(),
                config.baseUrl(),
                config.language(),
                config.targetInstructions(),
                json.writeValueAsString(config)));
        return view(batch.getId());
    }

    /** What the batch is expected to take (calls, tokens, cost), checked as {@link #create} checks it; no call. */
    public Forecast.Expected forecast(BatchRequest request) {
        return forecast.of(checked(request));
    }

    /** The request with every default filled in, or a 400 saying what to change. */
    private BatchConfig checked(BatchRequest request) {
        boolean self = selfEndpoint.isSelf(request.baseUrl());
        if (self && request.price() != null) {
            throw new InvalidRequestException(
                    "price: the service's own models cost nothing; leave price out when " + "baseUrl is self");
        }
        BatchConfig config = BatchConfig.resolve(request, llm.defaults(), self);
        if (!seedSets.exists(config.seedSet())) {
            throw new InvalidRequestException("seedSet '" + config.seedSet() + "' does not exist or is empty; "
                    + "GET /api/seed-sets lists the sets, POST /api/seed-tasks?set=NAME imports one");
        }
        if (config.minLength() >= config.maxLength()) {
            throw new InvalidRequestException("minLength must be below maxLength");
        }
        LlmApi.parse(config.api());
        if (self) {
            if (config.batchApi()) {
                throw new InvalidRequestException("delivery batch-api needs a provider's Batch API; the service's own "
                        + "models (baseUrl self) answer online only");
            }
            if (config.maxCostUsd() != null) {
                throw new InvalidRequestException("maxCostUsd can never stop this batch: the service's own models "
                        + "cost nothing. Leave maxCostUsd out.");
            }
            if (!selfModels.serves(config.model())) {
                throw new InvalidRequestException("model '" + config.model() + "' is not served by this service; "
                        + "GET /v1/models lists the served models (model directories and completed jobs as job-<id>)");
            }
        } else {
            outboundHosts.check(config.baseUrl());
        }
        if (config.maxCostUsd() != null
                && llm.priceOf(llm.defaults().withModel(config.model()).withPrice(config.price()))
                        .equals(ModelPrice.FREE)) {
            throw new InvalidRequestException("maxCostUsd can never stop this batch: model '" + config.model()
                    + "' has no price, so every call costs 0. Give the batch a \"price\": {\"inputPerMillion\": ..., "
                    + "\"outputPerMillion\": ...} (USD per 1M tokens), configure selfinstruct.llm.prices[MODEL], "
                    + "or leave maxCostUsd out.");
        }
        if (config.structuredOutputs() && !config.api().equals("chat")) {
            throw new InvalidRequestException(
                    "structuredOutputs needs \"api\": \"chat\": response_format is a " + "chat completions parameter");
        }
        return config;
    }

    public List<BatchView> list() {
        return repository.findAll(org.springframework.data.domain.Sort.by("id").descending()).stream()
                .map(b -> view(b.getId()))
                .toList();
    }

    public BatchView view(long id) {
        Batch batch = repository.findById(id).orElseThrow(() -> new NotFoundException("Batch", id));
        Map<InstructionStatus, Long> byStatus = instructions.countsByStatus(id);
        Map<String, Long> rejected = instructions.rejectionsByReason(id);
        LlmUsage.Totals usage = llmUsage.ofBatch(id);
        int accepted = byStatus.getOrDefault(InstructionStatus.ACCEPTED, 0L).intValue();
        Instant end = batch.getFinishedAt() != null ? batch.getFinishedAt() : Instant.now();
        double minutes = batch.getStartedAt() == null
                ? 0
                : Duration.between(batch.getStartedAt(), end).toMillis() / 60_000.0;
        double perMinute = minutes > 0 ? accepted / minutes : 0;
        Long etaSeconds = null;
        Instant eta = null;
        if (batch.getStatus() == BatchStatus.RUNNING && perMinute > 0) {
            etaSeconds = Math.round((batch.getTarget() - accepted) / perMinute * 60);
            eta = Instant.now().plusSeconds(etaSeconds);
        }
        return new BatchView(
                batch.getId(),
                batch.getStatus(),
                batch.getStatusReason(),
                batch.getMode(),
                batch.getModel(),
                batch.getApi(),
                batch.getSeedSet(),
                batch.getLanguage(),
                batch.getTarget(),
                accepted,
                byStatus.getOrDefault(InstructionStatus.CANDIDATE, 0L).intValue(),
                rejected,
                usage.calls(),
                llmUsage.reusedBy(id),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.costUsd(),
                perMinute,
                eta,
                etaSeconds,
                batch.getError(),
                batch.getCreatedAt(),
                batch.getStartedAt(),
                batch.getFinishedAt(),
                config(batch).delivery(),
                llmUsage.wavesOf(id).stream()
                        .map(w -> new BatchView.Wave(
                                w.getWave(),
                                w.getState().name(),
                                w.getProviderBatchId(),
                                w.getProviderStatus(),
                                w.getRequests(),
                                w.getCompletedCount(),
                                w.getFailedCount(),
                                w.getError(),
                                w.getCreatedAt(),
                                w.getUpdatedAt()))
                        .toList(),
                config(batch));
    }

    @Override
    public Optional<Admission.Pool> poolOf(long batchId) {
        return repository.findById(batchId).map(batch -> {
            BatchConfig config = config(batch);
            return new Admission.Pool(config.seedSet(), PoolLanguage.of(config.language()), config.rougeThreshold());
        });
    }

    BatchConfig config(Batch batch) {
        return json.readValue(batch.getConfigJson(), BatchConfig.class);
    }

    public BatchView pause(long id) {
        return transition(id, "PAUSED", "paused by request", List.of("QUEUED", "RUNNING"));
    }

    public BatchView resume(long id) {
        return transition(id, "QUEUED", null, List.of("PAUSED", "FAILED"));
    }

    public BatchView cancel(long id) {
        return transition(id, "CANCELLED", "cancelled by request", List.of("QUEUED", "RUNNING", "PAUSED"));
    }

    private BatchView transition(long id, String to, String reason, List<String> from) {
        Batch batch = repository.findById(id).orElseThrow(() -> new NotFoundException("Batch", id));
        Timestamp now = Timestamp.from(Instant.now());
        var params = new MapSqlParameterSource("to", to)
                .addValue("reason", reason)
                .addValue("now", now)
                .addValue("finished", to.equals("CANCELLED") ? now : null)
                .addValue("id", id)
                .addValue("from", from);
        // a resumed batch starts clean: the error of its failed run is history
        String clearError = to.equals("QUEUED") ? ", error = null" : "";
        int changed = jdbc.update(
                "update batch set status = :to, "
                        + "status_reason = :reason, finished_at = :finished, updated_at = :now" + clearError
                        + " where id = :id and status in (:from)",
                params);
        if (changed == 0) {
            throw new ConflictException("Batch " + id + " is " + batch.getStatus() + "; only a batch that is "
                    + String.join(" or ", from) + " can be set " + to);
        }
        return view(id);
    }
}
