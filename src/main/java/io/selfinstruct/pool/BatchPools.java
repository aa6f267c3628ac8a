package io.selfinstruct.pool;

import java.util.Optional;

/**
 * The pool a generation batch admitted its instructions into (its seed set, language and threshold), for
 * curation to re-check an edit by the same rule. The generate feature owns batches and answers.
 */
public interface BatchPools {

    /** Empty when no batch has that id. */
    Optional<Admission.Pool> poolOf(long batchId);
}
