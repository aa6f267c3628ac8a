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

    /** Jobs this instance may claim, oldest first: queued, its own running ones, and running ones gone stale. */
    @Query("select j.id from FineTuneJob j where j.status = io.selfinstruct.finetune.FineTuneStatus.QUEUED "
            + "or (j.status = io.selfinstruct.finetune.FineTuneStatus.RUNNING and (j.claimedBy = :me "
            + "or j.claimedBy is null or j.heartbeatAt is null or j.heartbeatAt < :stale)) order by j.id")
    List<Long> claimable(@Param("me") String me, @Param("stale") Instant stale);

    /** Takes a job when it is still claimable: one conditional update, so two instances never both win. */
    @Modifying(clearAutomatically = true)
    @Transactional
    @Query("update FineTuneJob j set j.status = io.selfinstruct.finetune.FineTuneStatus.RUNNING, j.claimedBy = :me, "
            + "j.heartbeatAt = :now, j.updatedAt = :now where j.id = :id and (j.status = "
            + "io.selfinstruct.finetune.FineTuneStatus.QUEUED or (j.status = io.selfinstruct.finetune.FineTuneStatus.RUNNING "
            + "and (j.claimedBy = :me or j.claimedBy is null or j.heartbeatAt is null or j.heartbeatAt < :stale)))")
    int claim(@Param("id") long id, @Param("me") String me, @Param("now") Instant now, @Param("stale") Instant stale);

    /** Keeps this instance's claim alive; 0 when another instance has taken the job over. */
    @Modifying(clearAutomatically = true)
    @Transactional
    @Query("update FineTuneJob j set j.heartbeatAt = :now where j.id = :id and j.claimedBy = :me "
            + "and j.status = io.selfinstruct.finetune.FineTuneStatus.RUNNING")
    int heartbeat(@Param("id") long id, @Param("me") String me, @Param("now") Instant now);

    @Modifying(clearAutomatically = true)
    @Transactional
    @Query("update FineTuneJob j set j.cancelRequested = true where j.id = :id")
    int requestCancel(@Param("id") long id);

    @Query("select j.cancelRequested from FineTuneJob j where j.id = :id")
    boolean cancelRequested(@Param("id") long id);

    /** Moves a job between states only from the expected one, so a cancel and a claim cannot both win. */
    @Modifying(clearAutomatically = true)
    @Transactional
    @Query("update FineTuneJob j set j.status = :to, j.updatedAt = :now where j.id = :id and j.status = :from")
    int transition(
            @Param("id") long id,
            @Param("from") FineTuneStatus from,
            @Param("to") FineTuneStatus to,
            @Param("now") Instant now);

    /** Fixes a job's data snapshot, once: a job that has one keeps it. */
    @Modifying(clearAutomatically = true)
    @Transactional
    @Query(
            value = "update finetune_job set snapshot_ids = :ids, snapshot_examples = :examples, "
                    + "snapshot_sha256 = :sha256 where id = :id and snapshot_sha256 is null",
            nativeQuery = true)
    int saveSnapshot(
            @Param("id") long id,
            @Param("ids") String ids,
            @Param("examples") int examples,
            @Param("sha256") String sha256);

    @Query(value = "select snapshot_ids from finetune_job where id = :id", nativeQuery = true)
    String snapshotIds(@Param("id") long id);
}
