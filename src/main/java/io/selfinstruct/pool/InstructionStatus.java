package io.selfinstruct.pool;

public enum InstructionStatus {
    /** Generated, not yet through all filters (e.g. waiting for its instances). */
    CANDIDATE,
    ACCEPTED,
    REJECTED
}
