package io.selfinstruct.generate;

import io.selfinstruct.pool.Instance;
import io.selfinstruct.pool.InstanceRepository;
import io.selfinstruct.pool.Instruction;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.problem.NotFoundException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** The database side of a running batch: what it resumes from and what it writes as it goes. */
@Component
class BatchStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final InstructionRepository instructions;
    private final InstanceRepository instances;

    BatchStore(JdbcTemplate jdbc, TransactionTemplate transaction, InstructionRepository instructions,
            InstanceRepository instances) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.instructions = instructions;
        this.instances = instances;
    }

    List<String> acceptedMachineInstructions(String language) {
        return jdbc.queryForList("select text from instruction where status = 'ACCEPTED' and origin = 'GENERATED' "
                + "and language = ? order by id", String.class, language);
    }

    /** Step-1 responses that were stored (so paid for) but whose instructions were never admitted: a crash. */
    List<StoredCall> unadmittedGenerations(long batchId) {
        return jdbc.query("select c.id, c.response, c.finish_reason from llm_call c where c.batch_id = ? "
                        + "and c.step in (?, ?) and c.status = 'SUCCEEDED' and not exists "
                        + "(select 1 from instruction i where i.llm_call_id = c.id) order by c.id",
                (rs, n) -> new StoredCall(rs.getLong(1), rs.getString(2) == null ? "" : rs.getString(2),
                        "length".equals(rs.getString(3))),
                batchId, BatchRun.STEP_GENERATE, BatchRun.STEP_ALPACA);
    }

    List<Long> candidateIds(long batchId) {
        return jdbc.queryForList("select id from instruction where batch_id = ? and status = 'CANDIDATE' order by id",
                Long.class, batchId);
    }

    int acceptedCount(long batchId) {
        Integer n = jdbc.queryForObject("select count(*) from instruction where batch_id = ? and status = 'ACCEPTED'",
                Integer.class, batchId);
        return n == null ? 0 : n;
    }

    Instruction instruction(long id) {
        return instructions.findById(id).orElseThrow(() -> new NotFoundException("Instruction", id));
    }

    void setClassification(long id, boolean classification) {
        jdbc.update("update instruction set is_classification = ?, updated_at = ? where id = ?", classification,
                Timestamp.from(Instant.now()), id);
    }

    /** Stores the instances and the verdict of steps 3-4 in one transaction. */
    void finishInstruction(long id, List<Instance> rows, String rejection) {
        transaction.executeWithoutResult(tx -> {
            instances.saveAll(rows);
            jdbc.update("update instruction set status = ?, reject_reason = ?, updated_at = ? where id = ? "
                    + "and status = 'CANDIDATE'", rejection == null ? "ACCEPTED" : "REJECTED", rejection,
                    Timestamp.from(Instant.now()), id);
        });
    }

    /**
     * Ends this process's run: a status of its own (completed, failed, budget) only replaces RUNNING, so a pause
     * or cancel asked for meanwhile stands; the claim is released either way and the counters snapshotted.
     */
    void end(long batchId, String instanceId, BatchStatus status, String reason, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        transaction.executeWithoutResult(tx -> {
            if (status != null) {
                jdbc.update("update batch set status = ?, status_reason = ?, error = ?, finished_at = ?, updated_at = ? "
                                + "where id = ? and status = 'RUNNING' and claimed_by = ?", status.name(), reason, error,
                        status.isFinished() ? now : null, now, batchId, instanceId);
            }
            jdbc.update("update batch set claimed_by = null, heartbeat_at = null, accepted = ?, requests = "
                            + "(select count(*) from llm_call where batch_id = ?), prompt_tokens = "
                            + "(select coalesce(sum(prompt_tokens), 0) from llm_call where batch_id = ?), "
                            + "completion_tokens = (select coalesce(sum(completion_tokens), 0) from llm_call "
                            + "where batch_id = ?), cost_usd = (select coalesce(sum(cost_usd), 0) from llm_call "
                            + "where batch_id = ?), updated_at = ? where id = ? and claimed_by = ?",
                    acceptedCount(batchId), batchId, batchId, batchId, batchId, now, batchId, instanceId);
        });
    }

    record StoredCall(long id, String response, boolean truncated) {
    }
}
