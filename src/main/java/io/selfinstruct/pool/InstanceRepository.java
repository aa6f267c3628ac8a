package io.selfinstruct.pool;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface InstanceRepository extends JpaRepository<Instance, Long> {

    List<Instance> findByInstructionIdOrderByPosition(Long instructionId);
}
