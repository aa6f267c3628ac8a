package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.Evaluation;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.problem.InvalidRequestException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a fine-tune job reports as a step's loss, through the recipe the worker runs: with gradient accumulation
 * over examples of very different response lengths it is the token-normalised loss (or, asked for, the mean of
 * the micro-batch means), and packing the same examples leaves the loss and the gradient as they were. One step
 * from a fresh adapter (B = 0, dropout 0) so the expected figures can be scored on the base model alone.
 */
class StepLossTest {

    @TempDir
    static Path root;

    static Path base;

    /** transformers' tiny-llama: its logits are far from uniform, so examples differ in their mean loss. */
    static final Path GOLDEN =
            Path.of("src/test/resources/golden/tiny-llama/model").toAbsolutePath();

    /** Responses of 2 to about 200 characters; the prompts are not trained on. */
    static final List<Example> UNEVEN = List.of(
            new Example("Answer yes or no: is water wet?", "", "Yes."),
            new Example(
                    "Describe how a river forms.",
                    "",
                    "Rain and melting snow gather in small channels on high ground. The channels join into"
                            + " streams, the streams cut valleys as they flow downhill, and where many of them meet"
                            + " a river carries the water on towards a lake or the sea."),
            new Example("Name a colour.", "", "Red."),
            new Example(
                    "Explain why the sky looks blue.",
                    "",
                    "Sunlight holds every colour. Air molecules scatter short blue wavelengths far more than"
                            + " long red ones, so blue light reaches our eyes from every part of the sky."));

    @BeforeAll
    static void model() {
        base = TinyLlama.write(root.resolve("base"), 21);
    }

    @Test
    void accumulatedStepsReportTheTokenNormalisedLossByDefault() throws Exception {
        String fields = "\"batchSize\": 4, \"microBatchSize\": 1, \"trainOnInputs\": false, \"cutoffLen\": 256";
        FineTuneSpec tokens = spec(GOLDEN, fields);
        FineTuneSpec microBatchMean = spec(GOLDEN, fields + ", \"lossNormalization\": \"microBatchMean\"");
        assertEquals(LossNormalization.TOKENS, tokens.training().lossNormalization());
        assertEquals(
                LossNormalization.MICRO_BATCH_MEAN, microBatchMean.training().lossNormalization());

        double tokenMean;
        double meanOfMeans = 0;
        try (LlamaModel model = LlamaLoader.load(GOLDEN, Device.cpu(), DataType.FLOAT32);
                ModelTokenizer tokenizer = ModelTokenizer.load(GOLDEN)) {
            List<TokenizedExample> train =
                    FineTuneRun.encode(tokens, UNEVEN, tokenizer, 2L).train();
            List<Integer> targets =
                    train.stream().map(TokenizedExample::targetCount).sorted().toList();
            assertTrue(targets.get(3) > 10 * targets.get(0), "response lengths " + targets);
            tokenMean = Evaluation.of(model, train, 4).loss();
            for (TokenizedExample example : train) {
                meanOfMeans += Evaluation.of(model, List.of(example), 1).loss() / train.size();
            }
        }
        // 6.445 against 6.497: a thousand times the tolerance below apart
        assertTrue(Math.abs(tokenMean - meanOfMeans) > 0.01, tokenMean + " against " + meanOfMeans);

        assertEquals(tokenMean, firstStep(tokens, UNEVEN).loss(), 1e-5);
        assertEquals(meanOfMeans, firstStep(microBatchMean, UNEVEN).loss(), 1e-5);
    }

    @Test
    void aPackedJobHasTheLossAndGradientOfTheUnpackedOne() throws Exception {
        List<Example> examples = AlpacaFile.read(TinyLlama.alpacaFile());
        String fields = "\"batchSize\": 16, \"microBatchSize\": 4, \"trainOnInputs\": true";
        FineTuneSpec unpacked = spec(base, fields + ", \"cutoffLen\": 1024");
        FineTuneSpec packed = spec(base, fields + ", \"cutoffLen\": 1024, \"packing\": true");
        try (ModelTokenizer tokenizer = ModelTokenizer.load(base)) {
            TrainingSet rows = FineTuneRun.encode(packed, examples, tokenizer, 2L);
            int unpackedRows = FineTuneRun.encode(unpacked, examples, tokenizer, 2L)
                    .train()
                    .size();
            assertEquals(16, unpackedRows, "one step holds every example");
            assertEquals(3, rows.train().size(), "16 examples packed into rows of up to 1024 tokens");
            assertTrue(rows.train().stream().anyMatch(r -> r.starts().length > 1));
        }
        StepMetrics alone = firstStep(unpacked, examples);
        StepMetrics together = firstStep(packed, examples);
        assertEquals(alone.loss(), together.loss(), 1e-5);
        assertEquals(alone.gradNorm(), together.gradNorm(), 1e-5 * alone.gradNorm());
    }

    @Test
    void anUnknownNormalizationIsRefused() {
        InvalidRequestException refused =
                assertThrows(InvalidRequestException.class, () -> spec(base, "\"lossNormalization\": \"perRow\""));
        assertTrue(refused.getMessage().contains("lossNormalization must be tokens or microBatchMean"));
    }

    private static StepMetrics firstStep(FineTuneSpec spec, List<Example> examples) {
        AdapterLayoutTest.QuietListener listener = new AdapterLayoutTest.QuietListener();
        Path job = root.resolve("job-" + System.nanoTime());
        FineTuneRun.execute(spec, examples, job, true, listener);
        return listener.metrics.get(0);
    }

    private static FineTuneSpec spec(Path model, String fields) throws Exception {
        String json = """
                {"baseModel": "%s", "lora": {"r": 8, "dropout": 0}, "maxSteps": 1,
                 "evalSteps": 0, "sampleSteps": 0, "sampleMaxNewTokens": 1, "saveSteps": 0, "seed": 5,
                 "device": "cpu", %s}
                """.formatted(model, fields);
        return JsonMapper.builder()
                .build()
                .readValue(json, FineTuneRequest.class)
                .toSpec(
                        new ModelRoots(
                                List.of(root.toString(), GOLDEN.getParent().toString())),
                        null);
    }
}
