package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a run trains, by the name they are saved under (PEFT's adapter names for LoRA, transformers'
 * weight names for last-layers tuning). Everything else in the model is frozen: no gradient, no optimizer state.
 */
public record TrainableWeights(Map<String, NDArray> byName) {

    public TrainableWeights {
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        byName.values().forEach(w -> w.setRequiresGradient(true));
    }

    public long parameterCount() {
        return byName.values().stream().mapToLong(NDArray::size).sum();
    }

    /** Gradients to zero after each optimizer step: the engine adds every backward pass into them. */
    public void zeroGradients() {
        // getGradient() hands out a new handle each call: the scope releases them (the gradients stay)
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (NDArray weight : byName.values()) {
                if (weight.hasGradient()) {
                    NDArray gradient = weight.getGradient();
                    gradient.subi(gradient);
                }
            }
        }
    }
}
