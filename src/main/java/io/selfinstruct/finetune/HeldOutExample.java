package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.Example;

/**
 * One example a fine-tune job held out of its training (its validation split).
 *
 * @param id the pool instance id, or the record's position in the job's data file
 * @param fromPool whether {@code id} is a pool instance id
 */
public record HeldOutExample(long id, boolean fromPool, Example example) {}
