package io.selfinstruct.llm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.time.Instant;

/** One logical LLM request with its outcome: kept for audit, cost accounting and replay on resume. */
@Entity
@Table(name = "llm_call")
public class LlmCall {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "batch_id")
    private Long batchId;

    /** The pipeline step that made the call, e.g. {@code generate_instructions}. */
    private String step;

    /** Deterministic key of the request within its batch, so a resumed batch finds finished calls. */
    @Column(name = "request_key")
    private String requestKey;

    private String model;

    private String prompt;

    private String response;

    @Column(name = "finish_reason")
    private String finishReason;

    /** All choices as a JSON array of {@code {"text", "finish_reason"}}; null for calls without a reply. */
    private String choices;

    @Column(name = "prompt_tokens")
    private int promptTokens;

    @Column(name = "completion_tokens")
    private int completionTokens;

    @Column(name = "cost_usd")
    private double costUsd;

    @Column(name = "latency_ms")
    private long latencyMs;

    private int attempts;

    /** {@code PENDING}, {@code SUCCEEDED} or {@code FAILED}. */
    private String status;

    private String error;

    /** {@link RequestFingerprint} of the request: equal for requests that would get the same kind of answer. */
    private String fingerprint;

    /** The earlier call whose answer this one reused (at no cost), or null when this call was answered itself. */
    @Column(name = "reused_from")
    private Long reusedFrom;

    /** The Batch API wave ({@link ProviderBatch}) the call was last sent in; null for online calls. */
    @Column(name = "provider_batch_id")
    private Long providerBatchId;

    @Column(name = "created_at")
    private Instant createdAt;

    protected LlmCall() {}

    public LlmCall(Long batchId, String step, String requestKey, String model, String prompt) {
        this(batchId, step, requestKey, model, prompt, null);
    }

    public LlmCall(Long batchId, String step, String requestKey, String model, String prompt, String fingerprint) {
        this.batchId = batchId;
        this.step = step;
        this.requestKey = requestKey;
        this.model = model;
        this.prompt = prompt;
        this.fingerprint = fingerprint;
        this.status = "PENDING";
    }

    @PrePersist
    void onCreate() {
        createdAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public Long getBatchId() {
        return batchId;
    }

    public String getStep() {
        return step;
    }

    public String getRequestKey() {
        return requestKey;
    }

    public String getModel() {
        return model;
    }

    public String getPrompt() {
        return prompt;
    }

    public String getResponse() {
        return response;
    }

    public void setResponse(String response) {
        this.response = response;
    }

    public String getFinishReason() {
        return finishReason;
    }

    public void setFinishReason(String finishReason) {
        this.finishReason = finishReason;
    }

    public String getChoices() {
        return choices;
    }

    public void setChoices(String choices) {
        this.choices = choices;
    }

    public int getPromptTokens() {
        return promptTokens;
    }

    public void setPromptTokens(int promptTokens) {
        this.promptTokens = promptTokens;
    }

    public int getCompletionTokens() {
        return completionTokens;
    }

    public void setCompletionTokens(int completionTokens) {
        this.completionTokens = completionTokens;
    }

    public double getCostUsd() {
        return costUsd;
    }

    public void setCostUsd(double costUsd) {
        this.costUsd = costUsd;
    }

    public long getLatencyMs() {
        return latencyMs;
    }

    public void setLatencyMs(long latencyMs) {
        this.latencyMs = latencyMs;
    }

    public int getAttempts() {
        return attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    public String getFingerprint() {
        return fingerprint;
    }

    public Long getReusedFrom() {
        return reusedFrom;
    }

    public void setReusedFrom(Long reusedFrom) {
        this.reusedFrom = reusedFrom;
    }

    public Long getProviderBatchId() {
        return providerBatchId;
    }

    public void setProviderBatchId(Long providerBatchId) {
        this.providerBatchId = providerBatchId;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
