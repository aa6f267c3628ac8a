package io.selfinstruct.evaluate;

public enum EvaluationStatus {
    QUEUED,
    RUNNING,
    PAUSED,
    COMPLETED,
    FAILED,
    CANCELLED;

    boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
