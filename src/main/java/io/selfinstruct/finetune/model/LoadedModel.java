package io.selfinstruct.finetune.model;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model directory loaded for use: weights (with an adapter applied when given), tokenizer, and the eos ids
 * from {@code generation_config.json} (else config.json, else the tokenizer's eos token).
 */
public record LoadedModel(Path baseModel, Path adapter, LlamaModel model, ModelTokenizer tokenizer, Set<Long> eosTokenIds,
        Map<String, LoraLinear> lora) implements AutoCloseable {

    public static LoadedModel load(Path baseModel, Path adapter, Device device, boolean halfOnGpu) {
        LlamaModel model = LlamaLoader.load(baseModel, device, DeviceChoice.weightType(device, halfOnGpu));
        try {
            Map<String, LoraLinear> lora = adapter == null ? Map.of() : PeftAdapter.apply(adapter, model);
            ModelTokenizer tokenizer = ModelTokenizer.load(baseModel);
            return new LoadedModel(baseModel, adapter, model, tokenizer, eosIds(baseModel, model.config(), tokenizer), lora);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Set<Long> eosIds(Path baseModel, ModelConfig config, ModelTokenizer tokenizer) {
        Set<Long> ids = new LinkedHashSet<>();
        Path generation = baseModel.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            try {
                ModelConfig.ids(JsonMapper.builder().build().readTree(Files.readString(generation)).path("eos_token_id"))
                        .forEach(id -> ids.add(id.longValue()));
            } catch (IOException | tools.jackson.core.JacksonException e) {
                throw new ModelLoadException("cannot read " + generation + ": " + e.getMessage(), e);
            }
        }
        if (ids.isEmpty()) {
            config.eosTokenIds().forEach(id -> ids.add(id.longValue()));
        }
        if (ids.isEmpty()) {
            tokenizer.eosTokenId().ifPresent(ids::add);
        }
        return Set.copyOf(ids);
    }

    public boolean isFor(Path base, Path adapterDirectory) {
        return baseModel.equals(base) && java.util.Objects.equals(adapter, adapterDirectory);
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
