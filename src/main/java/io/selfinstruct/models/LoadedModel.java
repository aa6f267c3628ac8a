package io.selfinstruct.models;

import ai.djl.Device;
import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.llama.EosTokens;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.lora.LoraLinear;
import io.selfinstruct.lora.PeftAdapter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A model directory loaded for use: weights (with an adapter applied when given), tokenizer, and the eos ids
 * from {@code generation_config.json} (else config.json, else the tokenizer's eos token).
 */
public record LoadedModel(
        Path baseModel,
        Path adapter,
        LlamaModel model,
        ModelTokenizer tokenizer,
        Set<Long> eosTokenIds,
        Map<String, LoraLinear> lora)
        implements AutoCloseable {

    public static LoadedModel load(Path baseModel, Path adapter, Device device, boolean halfOnGpu) {
        LlamaModel model = LlamaLoader.load(baseModel, device, DeviceChoice.weightType(device, halfOnGpu));
        try {
            Map<String, LoraLinear> lora = adapter == null ? Map.of() : PeftAdapter.apply(adapter, model);
            ModelTokenizer tokenizer = ModelTokenizer.load(baseModel);
            return new LoadedModel(
                    baseModel,
                    adapter,
                    model,
                    tokenizer,
                    Set.copyOf(EosTokens.of(baseModel, model.config(), tokenizer)),
                    lora);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
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
