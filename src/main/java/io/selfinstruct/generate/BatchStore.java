package io.selfinstruct.generate;

import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.pool.BatchInstructions;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The batch table's side of a running batch: the stored answers it resumes from and the end of a run. The pool
 * ({@link BatchInstructions}) and the LLM calls ({@link LlmUsage}) answer for their own tables.
 */
@RequiredArgsConstructor
@Component
class BatchStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final BatchInstructions pool;
    private final LlmUsage llm;

    /** Step-1 responses that were stored (so paid for) but whose instructions were never admitted: a crash. */
    List<LlmUsage.StoredAnswer> unadmittedGenerations(long batchId) {
        Set<Long> admitted = pool.admittedCallIds(batchId);
        return llm.succeededCalls(batchId, List.of(BatchRun.STEP_GENERATE, BatchRun.STEP_ALPACA)).stream()
                .filter(call -> !admitted.contains(call.callId()))
                .toList();
    }

    /** Step-1 requests that got no answer (failed, or not answered by their Batch API wave): to ask again. */
    List<LlmUsage.UnansweredCall> unansweredGenerations(long batchId) {
        return llm.unansweredCalls(batchId, List.of(BatchRun.STEP_GENERATE, BatchRun.STEP_ALPACA));
    }

    double spent(long batchId) {
        return llm.ofBatch(batchId).costUsd();
    }

    /** The LLM server refused response_format: the batch asks with the text prompts from now on. */
    void useTextFallback(long batchId) {
        jdbc.update("update batch set text_fallback = true where id = ?", batchId);
    }

    boolean textFallback(long batchId) {
        return Boolean.TRUE.equals(
                jdbc.queryForObject("select text_fallback from batch where id = ?", Boolean.class, batchId));
    }

    /** Step-1 calls the batch has stored, whatever their outcome: the number of the next one. */
    long generationsMade(long batchId) {
        return llm.callsOf(batchId, List.of(BatchRun.STEP_GENERATE, BatchRun.STEP_ALPACA));
    }

    /**
     * Ends this process's run: a status of its own (completed, failed, budget) only replaces RUNNING, so a pause
     * or cancel asked for meanwhile stands; the claim is released either way.
     */
    void end(long batchId, String instanceId, BatchStatus status, String reason, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        transaction.executeWithoutResult(tx -> {
            if (status != null) {
                jdbc.update(
                        "update batch set status = ?, status_reason = ?, error = ?, finished_at = ?, updated_at = ? "
                                + "where id = ? and status = 'RUNNING' and claimed_by = ?",
                        status.name(),
                        reason,
                        error,
                        status.isFinished() ? now : null,
                        now,
                        batchId,
                        instanceId);
            }
            jdbc.update(
                    "update batch set claimed_by = null, heartbeat_at = null, updated_at = ? "
                            + "where id = ? and claimed_by = ?",
                    now,
                    batchId,
                    instanceId);
        });
    }
}
