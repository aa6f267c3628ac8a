package io.selfinstruct.generate;

import java.util.List;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

public interface BatchRepository extends JpaRepository<Batch, Long> {

    List<Batch> findByStatusInOrderById(List<BatchStatus> statuses);

    List<Batch> findByStatusAndSeedSetAndMode(BatchStatus status, String seedSet, String mode, Pageable page);
}
