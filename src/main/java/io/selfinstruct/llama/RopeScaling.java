package io.selfinstruct.llama;

/**
 * {@code rope_scaling} (or the newer {@code rope_parameters}) of a config: {@code default} (none), {@code linear}
 * (positions divided by factor) or {@code llama3} (Llama 3.1's frequency-dependent smoothing).
 */
public record RopeScaling(
        String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {

    public static final RopeScaling NONE = new RopeScaling("default", 1.0, 0, 0, 0);

    public boolean isDefault() {
        return type.equals("default");
    }
}
