package io.selfinstruct.finetune;

public enum FineTuneStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED
}
