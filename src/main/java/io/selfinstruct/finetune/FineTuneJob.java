package io.selfinstruct.finetune;

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

/** A LoRA (or partial full) fine-tuning run of a base model on a selection of the pool. */
@Entity
@Table(name = "finetune_job")
public class FineTuneJob {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "base_model")
    private String baseModel;

    /** {@code lora} or {@code freeze}. */
    private String method;

    /** JSON object of export filters choosing the training data. */
    @Column(name = "data_selection")
    private String dataSelectionJson;

    /** The whole job request as JSON (hyper-parameters, LoRA settings). */
    @Column(name = "config")
    private String configJson;

    private String device;

    @Enumerated(EnumType.STRING)
    private FineTuneStatus status;

    private int step;

    @Column(name = "total_steps")
    private int totalSteps;

    /** JSON array of {@code {step, loss, evalLoss, lr, tokensPerSecond}}. */
    @Column(name = "metrics")
    private String metricsJson = "[]";

    /** JSON array of sample generations. */
    @Column(name = "samples")
    private String samplesJson = "[]";

    @Column(name = "resumed_from_step")
    private int resumedFromStep;

    /** Written only by {@link FineTuneJobRepository#requestCancel}: a save of a stale copy never clears it. */
    @Column(name = "cancel_requested", insertable = false, updatable = false)
    private boolean cancelRequested;

    /** The number of examples in the job's data snapshot; null before it first starts. */
    @Column(name = "snapshot_examples", insertable = false, updatable = false)
    private Integer snapshotExamples;

    /** The SHA-256 of the snapshot's text. The snapshot is written only by {@link FineTuneJobRepository#saveSnapshot}. */
    @Column(name = "snapshot_sha256", insertable = false, updatable = false)
    private String snapshotSha256;

    @Column(name = "output_dir")
    private String outputDir;

    private String error;

    /** The claim is written only by the repository's conditional updates, never by a save of a stale copy. */
    @Column(name = "claimed_by", insertable = false, updatable = false)
    private String claimedBy;

    @Column(name = "heartbeat_at", insertable = false, updatable = false)
    private Instant heartbeatAt;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected FineTuneJob() {}

    public FineTuneJob(String baseModel, String method, String dataSelectionJson, String configJson, String device) {
        this.baseModel = baseModel;
        this.method = method;
        this.dataSelectionJson = dataSelectionJson;
        this.configJson = configJson;
        this.device = device;
        this.status = FineTuneStatus.QUEUED;
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

    public String getBaseModel() {
        return baseModel;
    }

    public String getMethod() {
        return method;
    }

    public String getDataSelectionJson() {
        return dataSelectionJson;
    }

    public String getConfigJson() {
        return configJson;
    }

    public String getDevice() {
        return device;
    }

    public FineTuneStatus getStatus() {
        return status;
    }

    public void setStatus(FineTuneStatus status) {
        this.status = status;
    }

    public int getStep() {
        return step;
    }

    public void setStep(int step) {
        this.step = step;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public void setTotalSteps(int totalSteps) {
        this.totalSteps = totalSteps;
    }

    public String getMetricsJson() {
        return metricsJson;
    }

    public void setMetricsJson(String metricsJson) {
        this.metricsJson = metricsJson;
    }

    public String getSamplesJson() {
        return samplesJson;
    }

    public void setSamplesJson(String samplesJson) {
        this.samplesJson = samplesJson;
    }

    public int getResumedFromStep() {
        return resumedFromStep;
    }

    public void setResumedFromStep(int resumedFromStep) {
        this.resumedFromStep = resumedFromStep;
    }

    public Integer getSnapshotExamples() {
        return snapshotExamples;
    }

    public String getSnapshotSha256() {
        return snapshotSha256;
    }

    public String getOutputDir() {
        return outputDir;
    }

    public void setOutputDir(String outputDir) {
        this.outputDir = outputDir;
    }

    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    public String getClaimedBy() {
        return claimedBy;
    }

    public void setClaimedBy(String claimedBy) {
        this.claimedBy = claimedBy;
    }

    public Instant getHeartbeatAt() {
        return heartbeatAt;
    }

    public void setHeartbeatAt(Instant heartbeatAt) {
        this.heartbeatAt = heartbeatAt;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(Instant startedAt) {
        this.startedAt = startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public void setFinishedAt(Instant finishedAt) {
        this.finishedAt = finishedAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
