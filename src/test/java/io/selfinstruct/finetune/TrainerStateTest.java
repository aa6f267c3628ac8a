package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.finetune.train.TrainableWeights;
import io.selfinstruct.finetune.train.Trainer;
import io.selfinstruct.finetune.train.TrainingCheckpoints;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.DecoderLayer;
import io.selfinstruct.llama.LinearLayer;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.lora.LoraConfig;
import io.selfinstruct.lora.LoraInjection;
import io.selfinstruct.lora.LoraLinear;
import io.selfinstruct.models.ModelRoots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** What training may and may not touch, and a stopped run resumed from its checkpoint landing where an unbroken one does. */
class TrainerStateTest {

    private static final List<String> ALL =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    @Test
    void loraLeavesEveryBaseWeightBitIdenticalAndWithoutGradient(@TempDir Path root) {
        Path base = TinyLlama.write(root.resolve("base"), 11);
        try (LlamaModel model = LlamaLoader.load(base, Device.cpu(), DataType.FLOAT32);
                ModelTokenizer tokenizer = ModelTokenizer.load(base)) {
            Map<String, float[]> before = baseWeights(model);
            Map<String, LoraLinear> lora = LoraInjection.inject(model, LoraConfig.of(8, 16, 0.1, ALL), 5);
            assertEquals(14, lora.size());
            LoraLinear first = lora.get("model.layers.0.self_attn.q_proj");
            float bound = (float) (1 / Math.sqrt(32));
            for (float a : first.loraA().toFloatArray()) {
                assertTrue(Math.abs(a) <= bound, "A is Kaiming-uniform within 1/sqrt(fan_in)");
            }
            assertEquals(0f, first.loraB().abs().max().getFloat(), "B starts at zero");

            TrainableWeights weights = FineTuneRun.adapterWeights(lora);
            TrainingSet data = TrainingSet.split(encoded(tokenizer), 0, 1, false, 128);
            Trainer trainer = new Trainer(
                    model,
                    weights,
                    lora.values(),
                    data,
                    new TrainingOptions(1, 4, 1e-2, 0.01, 1, 4, 2, 1.0, 1, 0, 0, 0, 1, LossNormalization.TOKENS),
                    new TrainingCheckpoints(root.resolve("ck"), 1));
            trainer.train(new Silent());

            assertTrue(first.loraB().abs().max().getFloat() > 0, "B was trained");
            Map<String, float[]> after = baseWeights(model);
            for (Map.Entry<String, float[]> entry : before.entrySet()) {
                assertArrayEquals(entry.getValue(), after.get(entry.getKey()), entry.getKey() + " changed");
            }
            for (LinearLayer layer : model.linearLayers().values()) {
                assertFalse(layer.base().weight().hasGradient(), "a base weight has a gradient");
            }
            assertFalse(model.embedTokens().hasGradient());
            assertEquals(28, weights.byName().size(), "optimizer state exists only for A and B");
        }
    }

    @Test
    void trainsOnAThreadThatDidNotLoadTheEngine(@TempDir Path root) throws Exception {
        ai.djl.engine.Engine.getInstance(); // loaded here: PyTorch's grad mode is off on this thread only
        Path base = TinyLlama.write(root.resolve("base"), 14);
        FineTuneSpec spec = spec(root, base, "\"maxSteps\": 2, \"valSetSize\": 2, \"evalSteps\": 1");
        Silent.Listener listener = new Silent.Listener();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                FineTuneRun.execute(spec, AlpacaFile.read(TinyLlama.alpacaFile()), root.resolve("job"), true, listener);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        worker.start();
        worker.join();
        assertEquals(null, failure.get());
        assertEquals(2, listener.metrics.size());
        assertTrue(listener.metrics.get(1).evalLoss() > 0);
    }

    @Test
    void lastLayersTuningChangesOnlyTheLastLayers(@TempDir Path root) throws Exception {
        Path base = TinyLlama.write(root.resolve("base"), 12);
        FineTuneSpec spec = spec(root, base, """
                "method": "freeze", "trainableLayers": 1, "maxSteps": 3, "learningRate": 0.01""");
        FineTuneRun.Result result = FineTuneRun.execute(
                spec, AlpacaFile.read(TinyLlama.alpacaFile()), root.resolve("job"), true, new Silent.Listener());
        Path trained = result.outputDir();
        assertEquals(root.resolve("job").resolve(FineTuneRun.MODEL_DIR), trained);
        try (SafetensorsFile before = SafetensorsFile.open(base.resolve("model.safetensors"));
                SafetensorsFile after = SafetensorsFile.open(trained.resolve("model.safetensors"))) {
            assertEquals(before.names(), after.names());
            for (String name : before.names()) {
                boolean changed = !java.util.Arrays.equals(before.readFloats(name), after.readFloats(name));
                assertEquals(name.startsWith("model.layers.1."), changed, name);
            }
        }
        assertTrue(Files.isRegularFile(trained.resolve("tokenizer.json")));
    }

    @Test
    void aStoppedRunResumesFromItsCheckpointToTheSameAdapter(@TempDir Path root) throws Exception {
        Path base = TinyLlama.write(root.resolve("base"), 13);
        FineTuneSpec spec = spec(root, base, """
                "maxSteps": 8, "saveSteps": 2, "saveTotalLimit": 1, "learningRate": 0.01,
                 "lora": {"r": 8, "dropout": 0.1, "targetModules": ["q_proj", "v_proj", "down_proj"]}""");
        List<Example> examples = AlpacaFile.read(TinyLlama.alpacaFile());
        Silent.Listener straight = new Silent.Listener();
        FineTuneRun.Result unbroken = FineTuneRun.execute(spec, examples, root.resolve("straight"), true, straight);

        Silent.Listener stopping = new Silent.Listener() {
            @Override
            public boolean stopRequested() {
                return metrics.size() == 5;
            }
        };
        FineTuneRun.Result stopped = FineTuneRun.execute(spec, examples, root.resolve("broken"), true, stopping);
        assertTrue(stopped.cancelled());
        assertEquals(5, stopped.step());
        assertTrue(Files.isDirectory(root.resolve("broken/checkpoints/checkpoint-4")));
        assertFalse(Files.exists(root.resolve("broken/checkpoints/checkpoint-2")), "only the newest is kept");

        Silent.Listener again = new Silent.Listener();
        FineTuneRun.Result resumed = FineTuneRun.execute(spec, examples, root.resolve("broken"), true, again);
        assertEquals(4, again.resumedFrom);
        assertEquals(
                List.of(5, 6, 7, 8),
                again.metrics.stream().map(StepMetrics::step).toList());
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    straight.metrics.get(4 + i).loss(), again.metrics.get(i).loss(), 1e-5, "loss at step " + (5 + i));
        }
        try (SafetensorsFile a = SafetensorsFile.open(unbroken.outputDir().resolve("adapter_model.safetensors"));
                SafetensorsFile b = SafetensorsFile.open(resumed.outputDir().resolve("adapter_model.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertTrue(GoldenTrainStepTest.maxAbsDiff(a.readFloats(name), b.readFloats(name)) <= 1e-5, name);
            }
        }
    }

    static FineTuneSpec spec(Path root, Path base, String fields) throws Exception {
        String json = """
                {"baseModel": "%s", "batchSize": 4, "microBatchSize": 2, "cutoffLen": 128, "trainOnInputs": true,
                 "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 1, "seed": 9, "device": "cpu", %s}
                """.formatted(base, fields);
        return JsonMapper.builder()
                .build()
                .readValue(json, FineTuneRequest.class)
                .toSpec(new ModelRoots(List.of(root.toString())), null);
    }

    private static List<io.selfinstruct.finetune.data.TokenizedExample> encoded(ModelTokenizer tokenizer) {
        var encoder = new io.selfinstruct.finetune.data.ExampleEncoder(
                tokenizer, io.selfinstruct.finetune.data.PromptFormat.ALPACA, 2L, 128, 128, 128, true);
        return AlpacaFile.read(TinyLlama.alpacaFile()).stream()
                .map(e -> encoder.encode(e).orElseThrow())
                .toList();
    }

    private static Map<String, float[]> baseWeights(LlamaModel model) {
        Map<String, float[]> all = new LinkedHashMap<>();
        all.put("embed", model.embedTokens().toFloatArray());
        model.linearLayers()
                .forEach((path, layer) -> all.put(path, layer.base().weight().toFloatArray()));
        for (int i = 0; i < model.layers().size(); i++) {
            DecoderLayer layer = model.layers().get(i);
            all.put(i + ".input_layernorm", layer.inputLayernorm().toFloatArray());
            all.put(
                    i + ".post_attention_layernorm",
                    layer.postAttentionLayernorm().toFloatArray());
        }
        return all;
    }

    static class Silent implements Trainer.Progress {
        @Override
        public void onStep(StepMetrics metrics, int totalSteps) {}

        @Override
        public void onSamples(int step) {}

        @Override
        public void onCheckpoint(int step) {}

        @Override
        public boolean stopRequested() {
            return false;
        }

        static class Listener extends AdapterLayoutTest.QuietListener {}
    }
}
