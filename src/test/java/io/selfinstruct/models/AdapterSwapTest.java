package io.selfinstruct.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One copy of a base model serves all its adapters: switching from the base to an adapter over it, to another
 * adapter and back swaps the LoRA layers in place (the same loaded model), and each gives what a fresh load of it
 * gives.
 */
class AdapterSwapTest {

    static final long[] IDS = {1, 17, 93, 250, 301, 44, 7, 2};

    @TempDir
    Path dir;

    @Test
    void adaptersOverTheLoadedBaseAreSwappedInPlace() throws Exception {
        Golden golden = Golden.of("tiny-llama");
        Path base = golden.modelDir();
        Path adapter = golden.adapterDir();
        // a second adapter: the same weights at twice the scaling (lora_alpha doubled)
        Path doubled = dir.resolve("doubled");
        Files.createDirectories(doubled);
        Files.copy(adapter.resolve("adapter_model.safetensors"), doubled.resolve("adapter_model.safetensors"));
        String config = Files.readString(adapter.resolve("adapter_config.json"));
        int alpha = Integer.parseInt(config.replaceAll("(?s).*\"lora_alpha\":\\s*(\\d+).*", "$1"));
        Files.writeString(
                doubled.resolve("adapter_config.json"),
                config.replaceFirst("\"lora_alpha\":\\s*\\d+", "\"lora_alpha\": " + 2 * alpha));

        double baseLoss = fresh(base, null);
        double adapterLoss = fresh(base, adapter);
        double doubledLoss = fresh(base, doubled);
        assertThat(adapterLoss).isNotEqualTo(baseLoss);
        assertThat(doubledLoss).isNotEqualTo(adapterLoss);

        ModelRuntime runtime = new ModelRuntime(new ModelsProperties(List.of(), DeviceChoice.CPU, false, null, null));
        try {
            LlamaModel first = runtime.withModel(base, null, LoadedModel::model);
            for (Path next : new Path[] {adapter, doubled, null, adapter, null}) {
                double expected = next == null ? baseLoss : next.equals(adapter) ? adapterLoss : doubledLoss;
                double loss = runtime.withModel(base, next, m -> loss(m.model()));
                assertThat(loss)
                        .as("after switching to %s", next)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
                assertThat(runtime.withModel(base, next, LoadedModel::model))
                        .as("the base stays loaded")
                        .isSameAs(first);
            }
        } finally {
            runtime.close();
        }
    }

    private static double fresh(Path base, Path adapter) {
        try (LoadedModel model = LoadedModel.load(base, adapter, DeviceChoice.CPU.resolve(), false)) {
            return loss(model.model());
        }
    }

    private static double loss(LlamaModel model) {
        return ModelRuntime.evaluate(model, List.of(IDS)).get(0).loss();
    }
}
