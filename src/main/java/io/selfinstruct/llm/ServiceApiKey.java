package io.selfinstruct.llm;

/**
 * The service's own API key, sent as the Bearer token when the service calls its own {@code /v1} models (a batch
 * taught by a served model, an evaluation of one). The security configuration (in {@code web}, above this
 * package) implements it.
 */
public interface ServiceApiKey {
    String value();
}
