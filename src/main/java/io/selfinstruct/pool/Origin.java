package io.selfinstruct.pool;

/** Where an instruction in the pool came from. */
public enum Origin {
    SEED,
    GENERATED,
    IMPORTED
}
