package io.selfinstruct.generate;

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

/** A generation run: grows the pool by {@code target} instructions with one configuration. */
@Entity
@Table(name = "batch")
public class Batch {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    /** {@code self-instruct} or {@code alpaca}. */
    private String mode;

    @Column(name = "seed_set")
    private String seedSet;

    private String model;

    /** {@code chat} or {@code completions}. */
    private String api;

    @Column(name = "base_url")
    private String baseUrl;

    private String language;

    private int target;

    /** The whole request configuration as JSON (sampling, limits, filters, budget). */
    @Column(name = "config")
    private String configJson;

    @Enumerated(EnumType.STRING)
    private BatchStatus status;

    @Column(name = "status_reason")
    private String statusReason;

    private String error;

    @Column(name = "claimed_by")
    private String claimedBy;

    @Column(name = "heartbeat_at")
    private Instant heartbeatAt;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected Batch() {}

    public Batch(
            String mode,
            String seedSet,
            String model,
            String api,
            String baseUrl,
            String language,
            int target,
            String configJson) {
        this.mode = mode;
        this.seedSet = seedSet;
        this.model = model;
        this.api = api;
        this.baseUrl = baseUrl;
        this.language = language;
        this.target = target;
        this.configJson = configJson;
        this.status = BatchStatus.QUEUED;
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

    public String getMode() {
        return mode;
    }

    public String getSeedSet() {
        return seedSet;
    }

    public String getModel() {
        return model;
    }

    public String getApi() {
        return api;
    }

    public String getBaseUrl() {
        return baseUrl;
    }

    public String getLanguage() {
        return language;
    }

    public int getTarget() {
        return target;
    }

    public String getConfigJson() {
        return configJson;
    }

    public BatchStatus getStatus() {
        return status;
    }

    public void setStatus(BatchStatus status) {
        this.status = status;
    }

    public String getStatusReason() {
        return statusReason;
    }

    public void setStatusReason(String statusReason) {
        this.statusReason = statusReason;
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
