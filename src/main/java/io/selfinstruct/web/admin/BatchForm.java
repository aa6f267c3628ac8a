package io.selfinstruct.web.admin;

import io.selfinstruct.generate.BatchRequest;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The batch start form: the main settings; everything else keeps the method's defaults. */
record BatchForm(
        String mode,
        String seedSet,
        String model,
        String api,
        String language,
        Integer targetInstructions,
        Integer concurrency,
        Double temperature,
        Double rougeThreshold,
        Double maxCostUsd,
        String delivery,
        Boolean reuseAnswers,
        Boolean structuredOutputs) {

    /** The request {@code POST /api/batches} would receive: the form's fields by name, blank ones left out. */
    BatchRequest toRequest(JsonMapper json) {
        ObjectNode request = json.valueToTree(this);
        request.properties()
                .removeIf(field -> field.getValue().isNull()
                        || (field.getValue().isString()
                                && field.getValue().asString().isBlank()));
        request.propertyStream()
                .filter(field -> field.getValue().isString())
                .toList()
                .forEach(field ->
                        request.put(field.getKey(), field.getValue().asString().strip()));
        return json.treeToValue(request, BatchRequest.class);
    }
}
