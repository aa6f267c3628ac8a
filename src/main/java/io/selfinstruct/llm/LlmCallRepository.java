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
            + "coalesce(sum(c.costUsd), 0) from LlmCall c")
    List<Object[]> totals();

    List<LlmCall> findByBatchIdAndStatusAndStepInOrderById(Long batchId, String status, Collection<String> steps);
}
