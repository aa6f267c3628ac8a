package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.Evaluation;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.lora.PeftAdapter;
import io.selfinstruct.models.ModelRoots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole LoRA run on a tiny random model and a small alpaca file, through the same recipe the job worker runs:
 * the loss falls, the adapter reloads to the same evaluation loss, and the merged export gives the logits of
 * base + adapter.
 */
class FineTuneRunTest {

    @TempDir
    static Path root;

    static Path base;
    static FineTuneSpec spec;
    static List<Example> examples;
    static FineTuneRun.Result result;
    static final List<StepMetrics> metrics = new ArrayList<>();
    static final List<FineTuneRun.Sample> samples = new ArrayList<>();

    @BeforeAll
    static void train() throws Exception {
        base = TinyLlama.write(root.resolve("base"), 7);
        String json = """
                {"baseModel": "%s", "lora": {"r": 8, "alpha": 16, "dropout": 0.05,
                 "targetModules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]},
                 "maxSteps": 40, "learningRate": 0.01, "warmupSteps": 4, "batchSize": 4, "microBatchSize": 2,
                 "cutoffLen": 256, "trainOnInputs": false, "valSetSize": 4, "evalSteps": 20, "sampleSteps": 20,
                 "sampleMaxNewTokens": 8, "saveSteps": 0, "seed": 3, "device": "cpu", "mergeModel": true}
                """.formatted(base);
        spec = JsonMapper.builder()
                .build()
                .readValue(json, FineTuneRequest.class)
                .toSpec(new ModelRoots(List.of(root.toString())), null);
        examples = AlpacaFile.read(TinyLlama.alpacaFile());
        result = FineTuneRun.execute(spec, examples, root.resolve("job"), true, new FineTuneRun.Listener() {
            @Override
            public void onStart(int totalSteps, int resumedFrom, int trainExamples, int validationExamples) {
                assertEquals(40, totalSteps);
                assertEquals(0, resumedFrom);
                assertEquals(12, trainExamples);
            }

            @Override
            public void onStep(StepMetrics m, int totalSteps) {
                metrics.add(m);
            }

            @Override
            public void onSamples(List<FineTuneRun.Sample> generated) {
                samples.addAll(generated);
            }

            @Override
            public boolean stopRequested() {
                return false;
            }
        });
    }

    @Test
    void trainingLowersTheLossClearly() {
        assertFalse(result.cancelled());
        assertEquals(40, metrics.size());
        double first = (metrics.get(0).loss() + metrics.get(1).loss()) / 2;
        double last = (metrics.get(38).loss() + metrics.get(39).loss()) / 2;
        assertTrue(last < first * 0.6, "loss went from " + first + " to " + last);
        assertEquals(0.0, metrics.get(0).lr(), 1e-12, "warmup starts at 0 as transformers' schedule does");
        assertEquals(0.01, metrics.get(4).lr(), 1e-9);
        assertTrue(metrics.get(39).lr() < 1e-4, "cosine decays to about 0");
        assertNotNull(metrics.get(19).evalLoss());
        assertNotNull(metrics.get(39).evalLoss());
        assertEquals(null, metrics.get(10).evalLoss());
        assertTrue(metrics.get(39).evalLoss() < metrics.get(19).evalLoss() + 1, "eval loss stays finite");
        assertTrue(metrics.get(39).tokensPerSecond() > 0);
        assertEquals(4, samples.size(), "two prompts at steps 20 and 40");
        assertEquals(40, samples.get(3).step());
    }

    @Test
    void savedAdapterReloadsToTheSameEvaluationLoss() {
        Path adapter = result.outputDir();
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
        try (LlamaModel model = LlamaLoader.load(base, Device.cpu(), DataType.FLOAT32);
                ModelTokenizer tokenizer = ModelTokenizer.load(base)) {
            PeftAdapter.apply(adapter, model);
            TrainingSet data = FineTuneRun.encode(spec, examples, tokenizer, 2L);
            Evaluation reloaded = Evaluation.of(model, data.validation(), 2);
            assertEquals(result.finalEvaluation().loss(), reloaded.loss(), 1e-6);
            assertEquals(result.finalEvaluation().accuracy(), reloaded.accuracy(), 1e-9);
        }
    }

    @Test
    void mergedModelGivesTheLogitsOfBasePlusAdapter() {
        long[] ids = {1, 17, 99, 255, 3, 400, 511, 42, 7, 300};
        try (LlamaModel withAdapter = LlamaLoader.load(base, Device.cpu(), DataType.FLOAT32);
                LlamaModel merged = LlamaLoader.load(
                        root.resolve("job").resolve(FineTuneRun.MERGED_DIR), Device.cpu(), DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            PeftAdapter.apply(result.outputDir(), withAdapter);
            NDArray input = m.create(ids, new Shape(1, ids.length));
            float[] expected = withAdapter.forward(input, null).toFloatArray();
            float[] actual = merged.forward(input, null).toFloatArray();
            float max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
            assertTrue(max <= 1e-5, "merged logits differ by " + max);
        }
    }

    @Test
    void adapterConfigRecordsTheRun() throws Exception {
        var config = JsonMapper.builder()
                .build()
                .readTree(Files.readString(result.outputDir().resolve("adapter_config.json")));
        assertEquals(
                "base", config.get("base_model_name_or_path").asString(), "the model's name, not the server's path");
        assertEquals(8, config.get("r").asInt());
        assertEquals(16, config.get("lora_alpha").asInt());
        assertEquals(7, config.get("target_modules").size());
        assertEquals(0.05, config.get("lora_dropout").asDouble());
    }
}
