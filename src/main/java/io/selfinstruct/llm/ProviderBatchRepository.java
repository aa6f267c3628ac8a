package io.selfinstruct.llm;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ProviderBatchRepository extends JpaRepository<ProviderBatch, Long> {

    List<ProviderBatch> findByBatchIdOrderByWave(long batchId);

    Optional<ProviderBatch> findFirstByBatchIdAndStateNotOrderByWave(long batchId, ProviderBatch.State state);

    Optional<ProviderBatch> findFirstByBatchIdOrderByWaveDesc(long batchId);
}
