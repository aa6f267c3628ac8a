package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.AdamW;
import io.selfinstruct.finetune.train.GradientClipping;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.finetune.train.TrainableWeights;
import io.selfinstruct.finetune.train.Trainer;
import io.selfinstruct.finetune.train.TrainingCheckpoints;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.lora.LoraLinear;
import io.selfinstruct.lora.PeftAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One optimizer step over two micro-batches with 18 and 4 trained targets (src/test/resources/golden/extra,
 * copied from shared/data/golden/extra/grad_accum*: real PEFT gradients from the tiny-llama, the LoRA adapter of
 * grad_accum_init_adapter/). Under {@code tokens} the step's loss is the summed token loss over its 22 targets
 * (transformers from 4.46, {@code num_items_in_batch}); under {@code microBatchMean} the mean of the two
 * micro-batch means. Then clip_grad_norm_(1.0) and one AdamW step (lr 1e-3, weight decay 0.01).
 */
class GoldenGradientAccumulationTest {

    private static final Path MODEL = Path.of("src/test/resources/golden/tiny-llama/model");
    private static final Path EXTRA = Path.of("src/test/resources/golden/extra");
    private static final double TOLERANCE = 1e-5;

    private JsonNode golden;
    private LlamaModel model;
    private SafetensorsFile tensors;
    private Map<String, LoraLinear> lora;
    private TrainableWeights weights;

    /** The tiny-llama with the golden's initial adapter, and the golden's values. */
    @BeforeEach
    void load() throws Exception {
        golden = JsonMapper.builder().build().readTree(Files.readString(EXTRA.resolve("grad_accum-small.json")));
        model = LlamaLoader.load(MODEL, Device.cpu(), DataType.FLOAT32);
        tensors = SafetensorsFile.open(EXTRA.resolve("grad_accum.safetensors"));
        lora = PeftAdapter.apply(EXTRA.resolve("grad_accum_init_adapter"), model);
        weights = FineTuneRun.adapterWeights(lora);
    }

    @AfterEach
    void close() {
        tensors.close();
        model.close();
    }

    @Test
    void tokenNormalisedStepMatchesTransformersLossGradientsClippingAndAdamW() {
        JsonNode expected = golden.path("token_normalised");
        assertEquals(16, weights.byName().size());
        assertMatches("init.", false);

        Trainer trainer = trainer(LossNormalization.TOKENS, List.of());
        List<List<TokenizedExample>> microBatches = microBatches();
        assertEquals(List.of(18L, 4L), targets(microBatches));
        double loss = trainer.accumulate(microBatches);
        assertEquals(expected.path("loss_step").asDouble(), loss, TOLERANCE);
        assertMatches("grad.token_normalised.", true);

        double norm = GradientClipping.clipByGlobalNorm(weights, 1.0);
        assertEquals(expected.path("grad_norm_before_clip").asDouble(), norm, TOLERANCE);
        assertMatches("clipped_grad.", true);

        AdamW adamW = new AdamW(weights, TrainingOptions.BETA1, TrainingOptions.BETA2, TrainingOptions.EPS, 0.01);
        adamW.step(1e-3);
        assertMatches("updated.", false);
        for (String name : weights.byName().keySet()) {
            assertClose(
                    tensors.readFloats("adam.exp_avg." + name), adamW.expAvg().get(name), name);
            assertClose(
                    tensors.readFloats("adam.exp_avg_sq." + name),
                    adamW.expAvgSq().get(name),
                    name);
        }
    }

    @Test
    void microBatchMeanStepMatchesTheOldRule() {
        JsonNode expected = golden.path("old_semantics");
        Trainer trainer = trainer(LossNormalization.MICRO_BATCH_MEAN, List.of());
        double loss = trainer.accumulate(microBatches());
        assertEquals(expected.path("loss").asDouble(), loss, TOLERANCE);
        assertMatches("grad.old_semantics.", true);
        double norm = GradientClipping.clipByGlobalNorm(weights, 0);
        assertEquals(expected.path("grad_norm_before_clip").asDouble(), norm, TOLERANCE);
        assertTrue(
                Math.abs(norm
                                - golden.path("token_normalised")
                                        .path("grad_norm_before_clip")
                                        .asDouble())
                        > 0.5,
                "the two rules give clearly different gradients here");
    }

    /** The whole loop, one step of batch 4 in micro-batches of 2: under tokens the grouping does not matter. */
    @Test
    void trainingLoopStepReportsTheTokenNormalisedLossAndLandsOnTheGoldenWeights() {
        List<TokenizedExample> examples =
                microBatches().stream().flatMap(List::stream).toList();
        Trainer trainer = trainer(LossNormalization.TOKENS, examples);
        List<StepMetrics> metrics = new ArrayList<>();
        trainer.train(new TrainerStateTest.Silent() {
            @Override
            public void onStep(StepMetrics m, int totalSteps) {
                metrics.add(m);
            }
        });
        assertEquals(1, metrics.size());
        JsonNode expected = golden.path("token_normalised");
        assertEquals(expected.path("loss_step").asDouble(), metrics.get(0).loss(), TOLERANCE);
        assertEquals(
                expected.path("grad_norm_before_clip").asDouble(),
                metrics.get(0).gradNorm(),
                TOLERANCE);
        assertEquals(1e-3, metrics.get(0).lr(), 1e-12);
        assertMatches("updated.", false);
    }

    /** The golden micro-batches in their order, each row cut to its attention mask. */
    private List<List<TokenizedExample>> microBatches() {
        List<List<TokenizedExample>> batches = new ArrayList<>();
        golden.path("setup").path("micro_batches").values().forEach(b -> batches.add(GoldenTrainStepTest.rows(b)));
        return batches;
    }

    private static List<Long> targets(List<List<TokenizedExample>> microBatches) {
        return microBatches.stream()
                .map(b -> b.stream().mapToLong(TokenizedExample::targetCount).sum())
                .toList();
    }

    /**
     * A trainer with the golden's optimizer settings; {@code examples} are its training set (one step holds them
     * all) or empty when only {@link Trainer#accumulate} is called.
     */
    private Trainer trainer(LossNormalization normalization, List<TokenizedExample> examples) {
        List<TokenizedExample> train =
                examples.isEmpty() ? List.of(new TokenizedExample(new long[] {1, 2}, new long[] {1, 2})) : examples;
        TrainingOptions options =
                new TrainingOptions(1, 1, 1e-3, 0.01, 0, train.size(), 2, 1.0, 0, 0, 0, 0, 1, normalization);
        return new Trainer(
                model,
                weights,
                lora.values(),
                new TrainingSet(train, List.of()),
                options,
                new TrainingCheckpoints(Path.of("target/unused-checkpoints"), 1));
    }

    private void assertMatches(String prefix, boolean gradients) {
        for (Map.Entry<String, NDArray> entry : weights.byName().entrySet()) {
            NDArray actual = gradients ? entry.getValue().getGradient() : entry.getValue();
            assertClose(tensors.readFloats(prefix + entry.getKey()), actual, prefix + entry.getKey());
        }
    }

    private static void assertClose(float[] expected, NDArray actual, String name) {
        float diff = GoldenTrainStepTest.maxAbsDiff(expected, actual.toFloatArray());
        assertTrue(diff <= TOLERANCE, name + " differs by " + diff);
    }
}
