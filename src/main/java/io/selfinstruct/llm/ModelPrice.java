package io.selfinstruct.llm;

/** USD per one million tokens, read and written separately as providers bill them. */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {

    public static final ModelPrice FREE = new ModelPrice(0, 0);

    /** This price scaled, e.g. by a provider's batch discount. */
    public ModelPrice times(double factor) {
        return new ModelPrice(inputPerMillion * factor, outputPerMillion * factor);
    }

    public double cost(long promptTokens, long completionTokens) {
        return (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1_000_000d;
    }
}
