package io.selfinstruct.generate;

import java.time.Instant;
import java.util.Map;

/** A batch as {@code GET /api/batches/{id}} shows it: settings, live progress, usage and cost. */
public record BatchView(
        long id,
        BatchStatus status,
        String statusReason,
        String mode,
        String model,
        String api,
        String seedSet,
        String language,
        int target,
        int accepted,
        int pending,
        Map<String, Long> rejected,
        long requests,
        long reusedCalls,
        long promptTokens,
        long completionTokens,
        double costUsd,
        double instructionsPerMinute,
        Instant eta,
        Long etaSeconds,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        BatchConfig config) {}
