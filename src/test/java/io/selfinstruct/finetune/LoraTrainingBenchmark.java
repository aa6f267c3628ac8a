package io.selfinstruct.finetune;

import ai.djl.Device;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.LastLayersTuning;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.finetune.train.TrainableWeights;
import io.selfinstruct.finetune.train.Trainer;
import io.selfinstruct.finetune.train.TrainingCheckpoints;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.lora.LoraConfig;
import io.selfinstruct.lora.LoraInjection;
import io.selfinstruct.lora.LoraLinear;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole trainer steps (forward, backward, clipping, AdamW) on a ~100M-parameter Llama shape (hidden 768, 12
 * layers, 12 heads / 4 kv heads, intermediate 2048, vocab 32000 tied: 100.1M, the shape of issue 8's benchmark),
 * random weights written and loaded as a Hugging Face directory. Prints training tokens/s per step and the
 * process's peak resident memory (VmHWM: JVM plus libtorch).
 *
 * <pre>mvn -q test -Dtest=LoraTrainingBenchmark -Dsurefire.excludedGroups= -Dbench.method=lora|lora-all|freeze</pre>
 */
@Tag("benchmark")
class LoraTrainingBenchmark {

    @Test
    void trainingThroughputAndPeakMemory(@TempDir Path dir) throws Exception {
        String method = System.getProperty("bench.method", "lora");
        int steps = Integer.getInteger("bench.steps", 3);
        int micro = Integer.getInteger("bench.micro", 2);
        int seq = Integer.getInteger("bench.seq", 256);
        Path base = TinyLlama.write(dir.resolve("base"), 1, 32000, 768, 2048, 12, 12, 4, true);
        System.out.printf(
                "model file %.0f MB, peak RSS after writing %s%n",
                Files.size(base.resolve("model.safetensors")) / 1e6, peak());
        Device device = DeviceChoice.AUTO.resolve();
        try (LlamaModel model = LlamaLoader.load(base, device, DeviceChoice.weightType(device, true))) {
            Map<String, LoraLinear> lora = Map.of();
            TrainableWeights weights;
            switch (method) {
                case "lora" ->
                    lora = LoraInjection.inject(model, LoraConfig.of(8, 16, 0.05, List.of("q_proj", "v_proj")), 1);
                case "lora-all" ->
                    lora = LoraInjection.inject(
                            model,
                            LoraConfig.of(
                                    8,
                                    16,
                                    0.05,
                                    List.of(
                                            "q_proj",
                                            "k_proj",
                                            "v_proj",
                                            "o_proj",
                                            "gate_proj",
                                            "up_proj",
                                            "down_proj")),
                            1);
                case "freeze" -> {}
                default -> throw new IllegalArgumentException(method);
            }
            weights = method.equals("freeze") ? LastLayersTuning.select(model, 2) : FineTuneRun.adapterWeights(lora);
            Random random = new Random(5);
            List<TokenizedExample> examples = new ArrayList<>();
            for (int i = 0; i < micro * (steps + 1); i++) {
                long[] ids = random.longs(seq, 3, 32000).toArray();
                examples.add(new TokenizedExample(ids, ids.clone()));
            }
            Trainer trainer = new Trainer(
                    model,
                    weights,
                    lora.values(),
                    new TrainingSet(examples, List.of()),
                    new TrainingOptions(
                            1, steps + 1, 1e-4, 0, 0, micro, micro, 1.0, 1, 0, 0, 0, 1, LossNormalization.TOKENS),
                    new TrainingCheckpoints(dir.resolve("ck"), 1));
            List<Double> rates = new ArrayList<>();
            trainer.train(new TrainerStateTest.Silent() {
                @Override
                public void onStep(StepMetrics m, int totalSteps) {
                    rates.add(m.tokensPerSecond());
                    System.out.printf(
                            "step %d: loss %.4f, %.1f tokens/s, peak RSS %s%n",
                            m.step(), m.loss(), m.tokensPerSecond(), peak());
                }
            });
            List<Double> measured =
                    rates.subList(1, rates.size()).stream().sorted().toList();
            System.out.printf(
                    "RESULT %s on %s: %.1fM trainable of %s, %d x %d tokens per step, median %.1f tokens/s"
                            + " over %d steps (first step excluded), peak RSS %s%n",
                    method,
                    device,
                    weights.parameterCount() / 1e6,
                    "100.1M",
                    micro,
                    seq,
                    measured.get(measured.size() / 2),
                    measured.size(),
                    peak());
        }
    }

    /** The process's peak resident set (VmHWM), JVM heap and libtorch allocations together. */
    private static String peak() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return line.substring(6).strip();
                }
            }
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }
}
