package io.selfinstruct.finetune.data;

import java.util.Locale;
import java.util.Set;

/**
 * Which pool items to train on, with the export filters: instruction status (default ACCEPTED), origin, batch,
 * classification flag and language. Only accepted instances of the chosen instructions are used.
 */
public record DataSelection(String status, String origin, Long batchId, Boolean classification, String language) {

    private static final Set<String> STATUSES = Set.of("CANDIDATE", "ACCEPTED", "REJECTED");
    private static final Set<String> ORIGINS = Set.of("SEED", "GENERATED", "IMPORTED");

    public DataSelection {
        status = status == null || status.isBlank() ? "ACCEPTED" : status.strip().toUpperCase(Locale.ROOT);
        origin = origin == null || origin.isBlank() ? null : origin.strip().toUpperCase(Locale.ROOT);
        language = language == null || language.isBlank() ? null : language.strip();
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("data.status must be one of " + STATUSES + ", not " + status);
        }
        if (origin != null && !ORIGINS.contains(origin)) {
            throw new IllegalArgumentException("data.origin must be one of " + ORIGINS + ", not " + origin);
        }
    }

    public static DataSelection all() {
        return new DataSelection(null, null, null, null, null);
    }
}
