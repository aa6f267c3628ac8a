package io.selfinstruct.pool;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An input/output example of an instruction (input may be empty). */
@Entity
@Table(name = "instance")
public class Instance {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "instruction_id")
    private Long instructionId;

    private String input;

    private String output;

    @Enumerated(EnumType.STRING)
    private InstructionStatus status;

    @Column(name = "reject_reason")
    private String rejectReason;

    private int position;

    protected Instance() {}

    public Instance(Long instructionId, String input, String output, InstructionStatus status, int position) {
        this.instructionId = instructionId;
        this.input = input;
        this.output = output;
        this.status = status;
        this.position = position;
    }

    public void reject(String reason) {
        status = InstructionStatus.REJECTED;
        rejectReason = reason;
    }

    public Long getId() {
        return id;
    }

    public Long getInstructionId() {
        return instructionId;
    }

    public String getInput() {
        return input;
    }

    public String getOutput() {
        return output;
    }

    public InstructionStatus getStatus() {
        return status;
    }

    public String getRejectReason() {
        return rejectReason;
    }

    public int getPosition() {
        return position;
    }
}
