package io.selfinstruct.finetune;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface FineTuneJobRepository extends JpaRepository<FineTuneJob, Long> {

    List<FineTuneJob> findByStatusOrderById(FineTuneStatus status);

    /** Moves a job between states only from the expected one, so a cancel and a claim cannot both win. */
    @Modifying(clearAutomatically = true)
    @Transactional
    @Query("update FineTuneJob j set j.status = :to, j.updatedAt = :now where j.id = :id and j.status = :from")
    int transition(
            @Param("id") long id,
            @Param("from") FineTuneStatus from,
            @Param("to") FineTuneStatus to,
            @Param("now") Instant now);
}
