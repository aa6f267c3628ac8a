package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.TrainableWeights;
import io.selfinstruct.finetune.train.Trainer;
import io.selfinstruct.finetune.train.TrainingCheckpoints;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.lora.LoraLinear;
import io.selfinstruct.lora.MergedModelExport;
import io.selfinstruct.lora.PeftAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * PEFT's golden training step (src/test/resources/golden/tiny-llama, transformers 4.46 / PEFT 0.13.2: a 2x12
 * batch, first 3 labels -100) through {@link Trainer#accumulate}, the trainer's own step; the same gradients
 * against central finite differences; and the merged export against PEFT's merge_and_unload. That PEFT's adapters
 * load and give PEFT's logits is PeftAdapterTest's (model package).
 */
class GoldenTrainStepTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/tiny-llama");

    @Test
    void trainerStepLossAndEveryLoraGradientMatchPeft() throws Exception {
        JsonNode step = golden().path("lora").path("train_step");
        try (LlamaModel model = LlamaLoader.load(GOLDEN.resolve("model"), Device.cpu(), DataType.FLOAT32);
                SafetensorsFile expected = SafetensorsFile.open(GOLDEN.resolve("golden.safetensors"))) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(GOLDEN.resolve("adapter"), model);
            TrainableWeights weights = FineTuneRun.adapterWeights(lora);
            Trainer trainer = trainer(model, weights, lora);
            double loss = trainer.accumulate(List.of(rows(step)));
            assertEquals(step.path("loss").asDouble(), loss, 1e-5);
            assertEquals(16, weights.byName().size());
            for (Map.Entry<String, NDArray> entry : weights.byName().entrySet()) {
                float[] want = expected.readFloats("train.grad." + entry.getKey());
                float[] got = entry.getValue().getGradient().toFloatArray();
                float diff = maxAbsDiff(want, got);
                assertTrue(diff <= 1e-5, entry.getKey() + " gradient differs by " + diff);
            }
        }
    }

    @Test
    void loraGradientsAgreeWithFiniteDifferences() throws Exception {
        JsonNode step = golden().path("lora").path("train_step");
        long[] ids = flatten(step.path("input_ids"));
        long[] labels = flatten(step.path("labels"));
        try (LlamaModel model = LlamaLoader.load(GOLDEN.resolve("model"), Device.cpu(), DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(GOLDEN.resolve("adapter"), model);
            TrainableWeights weights = FineTuneRun.adapterWeights(lora);
            Shape shape = new Shape(2, 12);
            NDArray input = m.create(ids, shape);
            NDArray target = m.create(labels, shape);
            trainer(model, weights, lora).accumulate(List.of(rows(step)));
            int checked = 0;
            for (String name : List.of(
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight",
                    "base_model.model.model.layers.3.self_attn.q_proj.lora_B.weight")) {
                NDArray weight = weights.byName().get(name);
                float[] gradient = weight.getGradient().toFloatArray();
                float[] values = weight.toFloatArray();
                // the three largest-magnitude entries: their differences stand well above float32 rounding
                Integer[] order = new Integer[gradient.length];
                Arrays.setAll(order, i -> i);
                Arrays.sort(order, (a, b) -> Float.compare(Math.abs(gradient[b]), Math.abs(gradient[a])));
                for (int k = 0; k < 3; k++) {
                    int i = order[k];
                    double h = 1e-2;
                    double plus = lossWith(model, weight, values, i, values[i] + h, input, target);
                    double minus = lossWith(model, weight, values, i, values[i] - h, input, target);
                    weight.set(java.nio.FloatBuffer.wrap(values));
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, gradient[i], 2e-3 + 1e-2 * Math.abs(numeric), name + "[" + i + "]");
                    checked++;
                }
            }
            assertEquals(9, checked);
        }
    }

    @Test
    void mergedExportMatchesMergeAndUnload(@TempDir Path dir) {
        try (LlamaModel model = LlamaLoader.load(GOLDEN.resolve("model"), Device.cpu(), DataType.FLOAT32);
                SafetensorsFile expected = SafetensorsFile.open(GOLDEN.resolve("lora_merged_weights.safetensors"))) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(GOLDEN.resolve("adapter"), model);
            MergedModelExport.write(
                    GOLDEN.resolve("model"), dir, lora, Map.of(), CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            try (SafetensorsFile merged = SafetensorsFile.open(dir.resolve("model.safetensors"));
                    SafetensorsFile base = SafetensorsFile.open(GOLDEN.resolve("model/model.safetensors"))) {
                assertEquals(base.names(), merged.names(), "every base tensor is in the merged model");
                for (String key : expected.names()) {
                    float diff = maxAbsDiff(expected.readFloats(key), merged.readFloats(key));
                    assertTrue(diff <= 1e-6f, key + " differs by " + diff);
                }
                String untouched = "model.layers.0.self_attn.k_proj.weight";
                assertEquals(0f, maxAbsDiff(base.readFloats(untouched), merged.readFloats(untouched)));
            }
            assertTrue(Files.isRegularFile(dir.resolve("config.json")));
            assertTrue(Files.isRegularFile(dir.resolve("tokenizer.json")));
        }
    }

    private static double lossWith(
            LlamaModel model, NDArray weight, float[] values, int index, double value, NDArray input, NDArray target) {
        float[] changed = values.clone();
        changed[index] = (float) value;
        weight.set(java.nio.FloatBuffer.wrap(changed));
        try (NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            NDArray logits = model.forward(input, null);
            NDArray loss = NextTokenLoss.mean(logits, target);
            double result = loss.toType(DataType.FLOAT64, false).getDouble();
            logits.close();
            return result;
        }
    }

    static Trainer trainer(LlamaModel model, TrainableWeights weights, Map<String, LoraLinear> lora) {
        TokenizedExample unused = new TokenizedExample(new long[] {1, 2}, new long[] {1, 2});
        TrainingOptions options =
                new TrainingOptions(1, 1, 1e-3, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, LossNormalization.TOKENS);
        return new Trainer(
                model,
                weights,
                lora.values(),
                new TrainingSet(List.of(unused), List.of()),
                options,
                new TrainingCheckpoints(Path.of("target/unused-checkpoints"), 1));
    }

    static JsonNode golden() throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(GOLDEN.resolve("golden-small.json")));
    }

    /**
     * One example per row of a golden batch's {@code input_ids} and {@code labels}, cut to the row's
     * {@code attention_mask} when there is one (the trainer pads micro-batches itself).
     */
    static List<TokenizedExample> rows(JsonNode batch) {
        List<TokenizedExample> rows = new java.util.ArrayList<>();
        for (int r = 0; r < batch.path("input_ids").size(); r++) {
            long[] ids = Golden.ids(batch.path("input_ids").get(r));
            JsonNode mask = batch.path("attention_mask").path(r);
            int length = mask.isMissingNode()
                    ? ids.length
                    : (int) mask.values().stream().filter(v -> v.asInt() == 1).count();
            rows.add(new TokenizedExample(
                    Arrays.copyOf(ids, length),
                    Arrays.copyOf(Golden.ids(batch.path("labels").get(r)), length)));
        }
        return rows;
    }

    static long[] flatten(JsonNode rows) {
        return rows.values().stream()
                .flatMapToLong(r -> r.values().stream().mapToLong(JsonNode::asLong))
                .toArray();
    }

    static float maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
