package io.selfinstruct.finetune;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface FineTuneJobRepository extends JpaRepository<FineTuneJob, Long> {

    List<FineTuneJob> findByStatusOrderById(FineTuneStatus status);
}
