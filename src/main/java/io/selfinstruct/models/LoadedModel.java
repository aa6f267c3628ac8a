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

    /**
     * The same base with another adapter (or none) in place of this one: the LoRA wrappers come off, their weights
     * are freed, the new adapter's go on. The base weights stay loaded, one copy for all its adapters, as vLLM
     * serves LoRA adapters. Null when the swap cannot be done in place: an adapter that trains embeddings or the
     * head in full ({@code modules_to_save}) replaces base weights, so its model is loaded afresh. On a failure
     * the model is closed and the exception thrown.
     */
    public LoadedModel withAdapter(Path adapterDirectory) {
        if (!inPlace(adapter) || !inPlace(adapterDirectory)) {
            return null;
        }
        try {
            lora.forEach((path, layer) -> {
                model.replaceLinear(path, layer.base());
                layer.loraA().close();
                layer.loraB().close();
            });
            Map<String, LoraLinear> applied =
                    adapterDirectory == null ? Map.of() : PeftAdapter.apply(adapterDirectory, model);
            return new LoadedModel(baseModel, adapterDirectory, model, tokenizer, eosTokenIds, applied);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static boolean inPlace(Path adapterDirectory) {
        return adapterDirectory == null
                || PeftAdapter.readConfig(adapterDirectory).modulesToSave().isEmpty();
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
