package io.selfinstruct.seed;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A human-written task of a named seed set, in the self-instruct seed format. */
@Entity
@Table(name = "seed_task")
public class SeedTask {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "seed_set", nullable = false)
    private String seedSet;

    /** The task's own id from the JSONL file, e.g. {@code seed_task_0}. */
    @Column(name = "task_id", nullable = false)
    private String taskId;

    private String name;

    private String instruction;

    /** The instances as the JSON array of {@code {input, output}} they were imported with. */
    @Column(name = "instances")
    private String instancesJson;

    @Column(name = "is_classification")
    private boolean classification;

    /** Line order in the imported file. */
    private int position;

    @Column(name = "created_at")
    private Instant createdAt;

    protected SeedTask() {}

    public SeedTask(
            String seedSet,
            String taskId,
            String name,
            String instruction,
            String instancesJson,
            boolean classification,
            int position) {
        this.seedSet = seedSet;
        this.taskId = taskId;
        this.name = name;
        this.instruction = instruction;
        this.instancesJson = instancesJson;
        this.classification = classification;
        this.position = position;
        this.createdAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public String getSeedSet() {
        return seedSet;
    }

    public String getTaskId() {
        return taskId;
    }

    public String getName() {
        return name;
    }

    public String getInstruction() {
        return instruction;
    }

    public String getInstancesJson() {
        return instancesJson;
    }

    public boolean isClassification() {
        return classification;
    }

    public int getPosition() {
        return position;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
