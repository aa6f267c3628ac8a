package io.selfinstruct.pool;

import io.selfinstruct.problem.NotFoundException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The pool as a generation batch sees it: what it resumes from, what it writes as its instructions pass steps 2
 * to 4, and the counts its progress shows.
 */
@RequiredArgsConstructor
@Component
public class BatchInstructions {

    private static final String ACCEPTED = InstructionStatus.ACCEPTED.name();
    private static final String REJECTED = InstructionStatus.REJECTED.name();
    private static final String CANDIDATE = InstructionStatus.CANDIDATE.name();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final InstructionRepository instructions;
    private final InstanceRepository instances;

    /** Every accepted machine-generated instruction of the language, oldest first: step 1's few-shot pool. */
    public List<String> acceptedMachineInstructions(String language) {
        return jdbc.queryForList(
                "select text from instruction where status = ? and origin = ? and language = ? " + "order by id",
                String.class,
                ACCEPTED,
                Origin.GENERATED.name(),
                language);
    }

    /** The LLM calls of the batch whose instructions are stored: a stored call missing here was never admitted. */
    public Set<Long> admittedCallIds(long batchId) {
        return new HashSet<>(jdbc.queryForList(
                "select distinct llm_call_id from instruction where batch_id = ? " + "and llm_call_id is not null",
                Long.class,
                batchId));
    }

    public List<Long> candidateIds(long batchId) {
        return jdbc.queryForList(
                "select id from instruction where batch_id = ? and status = ? order by id",
                Long.class,
                batchId,
                CANDIDATE);
    }

    public int acceptedCount(long batchId) {
        Integer n = jdbc.queryForObject(
                "select count(*) from instruction where batch_id = ? and status = ?", Integer.class, batchId, ACCEPTED);
        return n == null ? 0 : n;
    }

    /** How many of the batch's instructions are in each status. */
    public Map<InstructionStatus, Long> countsByStatus(long batchId) {
        Map<InstructionStatus, Long> counts = new TreeMap<>();
        jdbc.query(
                "select status, count(*) from instruction where batch_id = ? group by status",
                rs -> {
                    counts.put(InstructionStatus.valueOf(rs.getString(1)), rs.getLong(2));
                },
                batchId);
        return counts;
    }

    /** Rejected instructions and instances of the batch by reason, e.g. {@code rouge_similar} or {@code empty_output}. */
    public Map<String, Long> rejectionsByReason(long batchId) {
        Map<String, Long> rejected = new TreeMap<>();
        jdbc.query(
                "select reject_reason, count(*) from instruction where batch_id = ? and status = ? "
                        + "group by reject_reason",
                rs -> {
                    rejected.merge(rs.getString(1), rs.getLong(2), Long::sum);
                },
                batchId,
                REJECTED);
        jdbc.query(
                "select s.reject_reason, count(*) from instance s join instruction i on s.instruction_id = i.id "
                        + "where i.batch_id = ? and s.status = ? group by s.reject_reason",
                rs -> {
                    rejected.merge(rs.getString(1), rs.getLong(2), Long::sum);
                },
                batchId,
                REJECTED);
        return rejected;
    }

    public Instruction instruction(long id) {
        return instructions.findById(id).orElseThrow(() -> new NotFoundException("Instruction", id));
    }

    public void setClassification(long id, boolean classification) {
        jdbc.update(
                "update instruction set is_classification = ?, updated_at = ? where id = ?",
                classification,
                Timestamp.from(Instant.now()),
                id);
    }

    /**
     * Stores the instances and the verdict of steps 3-4 in one transaction; only a candidate changes status.
     *
     * @param rejection the reason, or null when the instruction is accepted
     */
    public void finishInstruction(long id, List<Instance> rows, String rejection) {
        transaction.executeWithoutResult(tx -> {
            instances.saveAll(rows);
            jdbc.update(
                    "update instruction set status = ?, reject_reason = ?, updated_at = ? where id = ? "
                            + "and status = ?",
                    rejection == null ? ACCEPTED : REJECTED,
                    rejection,
                    Timestamp.from(Instant.now()),
                    id,
                    CANDIDATE);
        });
    }
}
