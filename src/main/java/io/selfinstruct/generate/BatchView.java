package io.selfinstruct.generate;

import java.time.Instant;
import java.util.List;
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
        String delivery,
        List<Wave> waves,
        BatchConfig config) {

    /**
     * One Batch API wave: the provider's batch id, its own status ({@code validating}, {@code in_progress},
     * {@code completed}, {@code expired}, ...) and request counts; {@code state} is how far this service got with it
     * (PREPARED, UPLOADED, SUBMITTED, INGESTED).
     */
    public record Wave(
            int wave,
            String state,
            String providerBatchId,
            String providerStatus,
            int requests,
            int completed,
            int failed,
            String error,
            Instant createdAt,
            Instant updatedAt) {}
}
