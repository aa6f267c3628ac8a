package io.selfinstruct.evaluate;

/**
 * The service's own API key, sent as the Bearer token when an evaluation calls the service's own {@code /v1}
 * models. The security configuration (in {@code web}, above this package) implements it.
 */
public interface ServiceApiKey {
    String value();
}
