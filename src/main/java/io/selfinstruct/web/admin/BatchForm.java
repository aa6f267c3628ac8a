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
        Double maxCostUsd) {

    /** The request {@code POST /api/batches} would receive: the form's fields by name, blank ones left out. */
    BatchRequest toRequest(JsonMapper json) {
        ObjectNode request = json.createObjectNode();
        FormFields.put(request, "mode", mode);
        FormFields.put(request, "seedSet", seedSet);
        FormFields.put(request, "model", model);
        FormFields.put(request, "api", api);
        FormFields.put(request, "language", language);
        request.put("targetInstructions", targetInstructions);
        request.put("concurrency", concurrency);
        request.put("temperature", temperature);
        request.put("rougeThreshold", rougeThreshold);
        request.put("maxCostUsd", maxCostUsd);
        return json.treeToValue(request, BatchRequest.class);
    }
}
