package io.selfinstruct.web;

import io.selfinstruct.llm.SelfModels;
import io.selfinstruct.serve.ServedModels;
import org.springframework.stereotype.Component;

/** The served models, for batches taught by one of them (the LLM package cannot see the serving package). */
@Component
class SelfModelsOfServe implements SelfModels {

    private final ServedModels served;

    SelfModelsOfServe(ServedModels served) {
        this.served = served;
    }

    @Override
    public boolean serves(String model) {
        return served.serves(model);
    }
}
