package io.selfinstruct.pool;

import java.time.Instant;
import java.util.List;

/**
 * An instruction as {@code GET /api/instructions/{id}} and the detail page show it: its instances, its most
 * similar pool instructions (as admission or the last edit measured them) and the LLM call that produced it.
 */
public record InstructionDetail(
        long id,
        String text,
        Origin origin,
        Long batchId,
        String language,
        Boolean classification,
        InstructionStatus status,
        String rejectReason,
        Double maxRouge,
        Double avgRouge,
        Instant createdAt,
        Instant updatedAt,
        List<InstanceView> instances,
        List<Similar> mostSimilar,
        LlmCallRef llmCall) {

    public record InstanceView(long id, String input, String output, InstructionStatus status, String rejectReason) {}

    /** @param instructionId null when the similar item is a seed task */
    public record Similar(Long instructionId, String text, double score) {}

    public record LlmCallRef(long id, String step, String model) {}
}
