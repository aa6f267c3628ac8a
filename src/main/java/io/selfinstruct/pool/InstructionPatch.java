package io.selfinstruct.pool;

/**
 * The body of {@code PATCH /api/instructions/{id}}: any of a new text, a new status (ACCEPTED restores, REJECTED
 * rejects) and the reason of a rejection ({@code manual} when none is given).
 */
public record InstructionPatch(String text, String status, String rejectReason) {}
