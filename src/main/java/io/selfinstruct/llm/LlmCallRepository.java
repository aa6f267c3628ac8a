package io.selfinstruct.llm;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface LlmCallRepository extends JpaRepository<LlmCall, Long> {

    Optional<LlmCall> findByRequestKey(String requestKey);

    List<LlmCall> findByBatchIdOrderById(Long batchId);

    long countByBatchId(Long batchId);
}
