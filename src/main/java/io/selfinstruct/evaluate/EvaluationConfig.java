package io.selfinstruct.evaluate;

/**
 * An evaluation's stored configuration (the API keys are stored apart, in {@link ApiKeys}).
 *
 * @param source      where the instructions came from, as the request named it (e.g. {@code seedSet:default})
 * @param temperature the answerers' and the judge's temperature (0 unless the request sets it)
 * @param maxTokens   the answerers' and the judge's max_tokens
 */
record EvaluationConfig(
        ModelRef a,
        ModelRef b,
        ModelRef judge,
        String source,
        int limit,
        Double maxCostUsd,
        int concurrency,
        double temperature,
        int maxTokens) {

    /** The same evaluation under another budget (null: none). */
    EvaluationConfig withMaxCostUsd(Double max) {
        return new EvaluationConfig(a, b, judge, source, limit, max, concurrency, temperature, maxTokens);
    }

    /** The keys given for A, B and the judge (null: none given). Never serialised into a view. */
    record ApiKeys(String a, String b, String judge) {
        @Override
        public String toString() {
            return "ApiKeys[***]";
        }
    }
}
