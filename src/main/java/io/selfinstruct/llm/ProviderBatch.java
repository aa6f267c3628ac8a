package io.selfinstruct.llm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import java.time.Instant;

/** One wave of a batch's requests sent through the provider's Batch API, with every id the provider gave it. */
@Entity
@Table(name = "llm_provider_batch")
public class ProviderBatch {

    /** How far this service got with the wave; each state is stored before the next step is taken. */
    public enum State {
        /** The input file's lines are stored; nothing was sent yet. */
        PREPARED,
        /** The input file is uploaded ({@code inputFileId}); the provider batch may or may not exist. */
        UPLOADED,
        /** The provider batch exists ({@code providerBatchId}) and is polled. */
        SUBMITTED,
        /** The provider batch ended and its output and error files are stored as calls. */
        INGESTED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "batch_id")
    private long batchId;

    private int wave;

    @Enumerated(EnumType.STRING)
    private State state;

    @Column(name = "input_jsonl")
    private String inputJsonl;

    private int requests;

    @Column(name = "input_file_id")
    private String inputFileId;

    @Column(name = "provider_batch_id")
    private String providerBatchId;

    /** The provider's own status: validating, in_progress, finalizing, completed, expired, failed, cancelled. */
    @Column(name = "provider_status")
    private String providerStatus;

    @Column(name = "completed_count")
    private int completedCount;

    @Column(name = "failed_count")
    private int failedCount;

    @Column(name = "output_file_id")
    private String outputFileId;

    @Column(name = "error_file_id")
    private String errorFileId;

    private String error;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected ProviderBatch() {}

    ProviderBatch(long batchId, int wave, String inputJsonl, int requests) {
        this.batchId = batchId;
        this.wave = wave;
        this.inputJsonl = inputJsonl;
        this.requests = requests;
        this.state = State.PREPARED;
    }

    @PrePersist
    void onCreate() {
        createdAt = Instant.now();
        updatedAt = createdAt;
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public long getBatchId() {
        return batchId;
    }

    public int getWave() {
        return wave;
    }

    public State getState() {
        return state;
    }

    void setState(State state) {
        this.state = state;
    }

    String getInputJsonl() {
        return inputJsonl;
    }

    public int getRequests() {
        return requests;
    }

    public String getInputFileId() {
        return inputFileId;
    }

    void setInputFileId(String inputFileId) {
        this.inputFileId = inputFileId;
    }

    public String getProviderBatchId() {
        return providerBatchId;
    }

    void setProviderBatchId(String providerBatchId) {
        this.providerBatchId = providerBatchId;
    }

    public String getProviderStatus() {
        return providerStatus;
    }

    void setProviderStatus(String providerStatus) {
        this.providerStatus = providerStatus;
    }

    public int getCompletedCount() {
        return completedCount;
    }

    void setCompletedCount(int completedCount) {
        this.completedCount = completedCount;
    }

    public int getFailedCount() {
        return failedCount;
    }

    void setFailedCount(int failedCount) {
        this.failedCount = failedCount;
    }

    public String getOutputFileId() {
        return outputFileId;
    }

    void setOutputFileId(String outputFileId) {
        this.outputFileId = outputFileId;
    }

    public String getErrorFileId() {
        return errorFileId;
    }

    void setErrorFileId(String errorFileId) {
        this.errorFileId = errorFileId;
    }

    public String getError() {
        return error;
    }

    void setError(String error) {
        this.error = error;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
