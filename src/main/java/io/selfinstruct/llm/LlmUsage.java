package io.selfinstruct.llm;

import java.util.Collection;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What the stored LLM calls add up to, and the stored answers a batch resumes from: the llm feature's answers. */
@Service
public class LlmUsage {

    private final LlmCallRepository calls;
    private final ProviderBatchRepository waves;

    public LlmUsage(LlmCallRepository calls, ProviderBatchRepository waves) {
        this.calls = calls;
        this.waves = waves;
    }

    /** Calls, tokens and cost of every stored call; failed calls count as calls and cost 0. */
    public record Totals(long calls, long promptTokens, long completionTokens, double costUsd) {}

    /** A stored answer. {@code truncated}: the server stopped it at the token limit. */
    public record StoredAnswer(long callId, String response, boolean truncated) {}

    public Totals ofBatch(long batchId) {
        return totals(calls.totalsOfBatch(batchId));
    }

    /** The batch's calls answered from an earlier batch's identical request ({@code reuseAnswers}), at no cost. */
    public long reusedBy(long batchId) {
        return calls.countByBatchIdAndReusedFromIsNotNull(batchId);
    }

    /** How many calls of these steps the batch has stored, whatever their outcome. */
    public long callsOf(long batchId, Collection<String> steps) {
        return calls.countByBatchIdAndStepIn(batchId, steps);
    }

    /**
     * Calls, tokens and cost of the stored calls whose request key starts with {@code prefix} (letters, digits,
     * {@code :} and {@code -}).
     */
    public Totals ofRequestKeyPrefix(String prefix) {
        if (!prefix.matches("[A-Za-z0-9:-]+")) {
            throw new IllegalArgumentException("a request key prefix of letters, digits, ':' and '-'");
        }
        return totals(calls.totalsOfRequestKeyPrefix(prefix + "%"));
    }

    public Totals ofAll() {
        return totals(calls.totals());
    }

    /** The batch's succeeded calls of these steps, oldest first. */
    @Transactional(readOnly = true)
    public List<StoredAnswer> succeededCalls(long batchId, Collection<String> steps) {
        return calls.findByBatchIdAndStatusAndStepInOrderById(batchId, LlmCallLog.SUCCEEDED, steps).stream()
                .map(c -> new StoredAnswer(
                        c.getId(),
                        c.getResponse() == null ? "" : c.getResponse(),
                        "length".equals(c.getFinishReason())))
                .toList();
    }

    /** The batch's succeeded calls, tokens and cost by step. */
    public java.util.Map<String, Totals> succeededByStep(long batchId) {
        java.util.Map<String, Totals> byStep = new java.util.TreeMap<>();
        for (Object[] row : calls.succeededByStep(batchId)) {
            byStep.put((String) row[0], totals(List.<Object[]>of(java.util.Arrays.copyOfRange(row, 1, 5))));
        }
        return byStep;
    }

    /** A stored request without an answer (failed, or left without one by its Batch API wave), to ask again. */
    public record UnansweredCall(String requestKey, String prompt, int attempts) {}

    /** The batch's calls of these steps that have no answer, oldest first. */
    @Transactional(readOnly = true)
    public List<UnansweredCall> unansweredCalls(long batchId, Collection<String> steps) {
        return calls.findByBatchIdAndStatusNotAndStepInOrderById(batchId, LlmCallLog.SUCCEEDED, steps).stream()
                .filter(c -> c.getRequestKey() != null)
                .map(c -> new UnansweredCall(c.getRequestKey(), c.getPrompt(), c.getAttempts()))
                .toList();
    }

    /** The Batch API waves of a batch, in order. */
    public List<ProviderBatch> wavesOf(long batchId) {
        return waves.findByBatchIdOrderByWave(batchId);
    }

    private static Totals totals(List<Object[]> rows) {
        Object[] row = rows.get(0);
        return new Totals(
                ((Number) row[0]).longValue(),
                ((Number) row[1]).longValue(),
                ((Number) row[2]).longValue(),
                ((Number) row[3]).doubleValue());
    }
}
