package io.selfinstruct.pool;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface InstructionRepository extends JpaRepository<Instruction, Long> {

    long countByStatus(InstructionStatus status);

    long countByBatchIdAndStatus(Long batchId, InstructionStatus status);

    List<Instruction> findByStatusAndLanguageOrderById(InstructionStatus status, String language);
}
