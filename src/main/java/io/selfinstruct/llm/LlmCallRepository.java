package io.selfinstruct.llm;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface LlmCallRepository extends JpaRepository<LlmCall, Long> {

    Optional<LlmCall> findByRequestKey(String requestKey);

    List<LlmCall> findByBatchIdOrderById(Long batchId);

    long countByRequestKey(String requestKey);

    /** What a batch has paid so far, failed calls included (they cost 0). */
    @Query("select coalesce(sum(c.costUsd), 0) from LlmCall c where c.batchId = :batchId")
    double sumCostUsdByBatchId(Long batchId);

    @Query("select count(c), coalesce(sum(c.promptTokens), 0), coalesce(sum(c.completionTokens), 0), "
            + "coalesce(sum(c.costUsd), 0) from LlmCall c where c.batchId = :batchId")
    List<Object[]> totalsOfBatch(long batchId);

    @Query("select count(c), coalesce(sum(c.promptTokens), 0), coalesce(sum(c.completionTokens), 0), "
            + "coalesce(sum(c.costUsd), 0) from LlmCall c where c.requestKey like :pattern")
    List<Object[]> totalsOfRequestKeyPrefix(String pattern);

    long countByBatchIdAndReusedFromIsNotNull(long batchId);

    long countByBatchIdAndStepIn(long batchId, Collection<String> steps);

    @Query("select c.step, count(c), coalesce(sum(c.promptTokens), 0), coalesce(sum(c.completionTokens), 0), "
            + "coalesce(sum(c.costUsd), 0) from LlmCall c where c.batchId = :batchId and c.status = 'SUCCEEDED' "
            + "group by c.step")
    List<Object[]> succeededByStep(long batchId);

    List<LlmCall> findByBatchIdAndStatusNotAndStepInOrderById(long batchId, String status, Collection<String> steps);

    @Query("select count(c), coalesce(sum(c.promptTokens), 0), coalesce(sum(c.completionTokens), 0), "
            + "coalesce(sum(c.costUsd), 0) from LlmCall c")
    List<Object[]> totals();

    /**
     * Succeeded calls with this fingerprint made by other batches (or outside any), answered by the server itself,
     * that batch {@code batchId} has not reused yet: each stored answer serves a batch once, as each call did.
     */
    @Query("select c from LlmCall c where c.fingerprint = :fingerprint and c.status = 'SUCCEEDED' "
            + "and c.reusedFrom is null and (c.batchId is null or c.batchId <> :batchId) and c.id not in "
            + "(select r.reusedFrom from LlmCall r where r.batchId = :batchId and r.reusedFrom is not null) "
            + "order by c.id")
    List<LlmCall> reusableFor(String fingerprint, long batchId, org.springframework.data.domain.Pageable page);

    List<LlmCall> findByBatchIdAndStatusAndStepInOrderById(Long batchId, String status, Collection<String> steps);
}
