package io.selfinstruct.evaluate;

/**
 * One model an evaluation calls: an OpenAI-compatible server and a model name there. {@code self}: one of the
 * service's own served models (its {@code /v1}, price 0, the service's API key). The API key is never shown.
 */
record ModelRef(String baseUrl, String model, boolean self) {

    /** What a response shows of it. */
    java.util.Map<String, Object> view() {
        return java.util.Map.of("baseUrl", self ? "self" : baseUrl, "model", model);
    }
}
