package io.selfinstruct.generate;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface BatchRepository extends JpaRepository<Batch, Long> {

    List<Batch> findByStatusInOrderById(List<BatchStatus> statuses);
}
