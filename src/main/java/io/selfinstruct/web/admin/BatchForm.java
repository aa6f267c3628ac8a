package io.selfinstruct.web.admin;

import io.selfinstruct.generate.BatchRequest;

/** The batch start form: the main settings; everything else keeps the method's defaults. */
record BatchForm(String mode, String seedSet, String model, String api, String language, Integer targetInstructions,
        Integer concurrency, Double temperature, Double rougeThreshold, Double maxCostUsd) {

    BatchRequest toRequest() {
        return new BatchRequest(blankToNull(mode), blankToNull(seedSet), blankToNull(model), blankToNull(api), null,
                targetInstructions, concurrency, null, null, temperature, null, null, null, null, maxCostUsd,
                blankToNull(language), null, rougeThreshold, null, null, null, null, null, null, null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
