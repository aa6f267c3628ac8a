package io.selfinstruct.web;

import io.selfinstruct.llm.ServiceApiKey;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/** The service's API key for the features that call the service's own {@code /v1} (batches taught by a served model, evaluations). */
@Component
class ServiceApiKeyOfSecurity implements ServiceApiKey {

    private final ApiKeys apiKeys;

    ServiceApiKeyOfSecurity(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    @Override
    public String value() {
        return new String(apiKeys.key(), StandardCharsets.UTF_8);
    }
}
