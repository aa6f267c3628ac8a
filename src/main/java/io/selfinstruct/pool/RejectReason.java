package io.selfinstruct.pool;

import java.util.Locale;

/** Why a candidate instruction or instance left the pipeline; stored with it and counted per batch. */
public enum RejectReason {
    // step 1: the instruction itself
    TOO_SHORT,
    TOO_LONG,
    BLOCKLISTED_WORD,
    WRITE_A_PROGRAM,
    STARTS_WITH_PUNCTUATION,
    NOT_ENGLISH,
    NOT_CHINESE,
    TRUNCATED,
    ROUGE_SIMILAR,
    // generated after the batch had reserved its last slot (batches stop exactly at their target)
    OVER_TARGET,
    // step 4: its instances
    EMPTY_OUTPUT,
    INPUT_EQUALS_OUTPUT,
    ENDS_WITH_COLON,
    DUPLICATE_INSTANCE,
    CONFLICTING_INSTANCES,
    NO_VALID_INSTANCES,
    // step 3's answer held no instance either parser could read (not JSON of the schema, nor the text format)
    UNPARSEABLE;

    /** The stored form, e.g. {@code rouge_similar}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
