package io.selfinstruct.llm;

/**
 * The names of the models the service serves on its own {@code /v1}, so that a batch naming one is checked when
 * it is created. The serving package, above this one, implements it (through {@code web}).
 */
public interface SelfModels {
    boolean serves(String model);
}
