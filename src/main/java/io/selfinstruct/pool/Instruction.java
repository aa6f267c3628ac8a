package io.selfinstruct.pool;

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

/** One instruction of the pool: seed, generated or imported, with the outcome of its admission. */
@Entity
@Table(name = "instruction")
public class Instruction {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String text;

    @Enumerated(EnumType.STRING)
    private Origin origin;

    @Column(name = "batch_id")
    private Long batchId;

    /** The LLM call whose response held this instruction. */
    @Column(name = "llm_call_id")
    private Long llmCallId;

    /** Pool language: {@code en} or {@code zh}; decides the ROUGE-L tokenizer. */
    private String language;

    /** Null until step 2 (classification) has run. */
    @Column(name = "is_classification")
    private Boolean classification;

    @Enumerated(EnumType.STRING)
    private InstructionStatus status;

    @Column(name = "reject_reason")
    private String rejectReason;

    @Column(name = "max_rouge")
    private Double maxRouge;

    @Column(name = "avg_rouge")
    private Double avgRouge;

    /** JSON array of {@code {"text", "score"}}: the 10 most similar pool instructions at admission. */
    @Column(name = "most_similar")
    private String mostSimilarJson;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected Instruction() {}

    public Instruction(String text, Origin origin, Long batchId, String language, InstructionStatus status) {
        this.text = text;
        this.origin = origin;
        this.batchId = batchId;
        this.language = language;
        this.status = status;
    }

    @PrePersist
    void onCreate() {
        createdAt = createdAt == null ? Instant.now() : createdAt;
        updatedAt = createdAt;
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = Instant.now();
    }

    public void accept() {
        status = InstructionStatus.ACCEPTED;
        rejectReason = null;
    }

    public void reject(String reason) {
        status = InstructionStatus.REJECTED;
        rejectReason = reason;
    }

    public Long getId() {
        return id;
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public Origin getOrigin() {
        return origin;
    }

    public Long getBatchId() {
        return batchId;
    }

    public Long getLlmCallId() {
        return llmCallId;
    }

    public void setLlmCallId(Long llmCallId) {
        this.llmCallId = llmCallId;
    }

    public String getLanguage() {
        return language;
    }

    public Boolean getClassification() {
        return classification;
    }

    public void setClassification(Boolean classification) {
        this.classification = classification;
    }

    public InstructionStatus getStatus() {
        return status;
    }

    public void setStatus(InstructionStatus status) {
        this.status = status;
    }

    public String getRejectReason() {
        return rejectReason;
    }

    public Double getMaxRouge() {
        return maxRouge;
    }

    public void setMaxRouge(Double maxRouge) {
        this.maxRouge = maxRouge;
    }

    public Double getAvgRouge() {
        return avgRouge;
    }

    public void setAvgRouge(Double avgRouge) {
        this.avgRouge = avgRouge;
    }

    public String getMostSimilarJson() {
        return mostSimilarJson;
    }

    public void setMostSimilarJson(String mostSimilarJson) {
        this.mostSimilarJson = mostSimilarJson;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
