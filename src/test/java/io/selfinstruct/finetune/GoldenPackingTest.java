package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.Packing;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.train.MicroBatch;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Packing without contamination against transformers (src/test/resources/golden/extra/packing*, copied from
 * shared/data/golden/extra): three examples of 5, 7 and 4 tokens packed into one row of 16 give transformers'
 * logits for that row with positions restarting per example and a block-diagonal causal mask, and the row's
 * summed loss is the sum of the examples' summed losses computed alone.
 */
class GoldenPackingTest {

    private static final Path MODEL = Path.of("src/test/resources/golden/tiny-llama/model");
    private static final Path EXTRA = Path.of("src/test/resources/golden/extra");

    @Test
    void aPackedRowScoresEachExampleAsIfAlone() throws Exception {
        JsonNode golden = JsonMapper.builder().build().readTree(Files.readString(EXTRA.resolve("packing.json")));
        JsonNode separate = golden.path("separate");
        List<TokenizedExample> examples = separate.values().stream()
                .map(e -> new TokenizedExample(Golden.ids(e.path("input_ids")), Golden.ids(e.path("input_ids"))))
                .toList();
        List<TokenizedExample> packed = Packing.pack(examples, 16);
        assertEquals(1, packed.size());
        TokenizedExample row = packed.get(0);
        JsonNode expected = golden.path("packed");
        assertArrayEquals(Golden.ids(expected.path("input_ids")), row.ids());
        assertArrayEquals(Golden.ids(expected.path("labels")), row.labels(), "no target crosses a boundary");
        assertArrayEquals(
                expected.path("example_starts").values().stream()
                        .mapToInt(JsonNode::asInt)
                        .toArray(),
                row.starts());
        assertEquals(expected.path("targets").asInt(), row.targetCount());

        try (LlamaModel model = LlamaLoader.load(MODEL, Device.cpu(), DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager(Device.cpu());
                SafetensorsFile tensors = SafetensorsFile.open(EXTRA.resolve("packing.safetensors"))) {
            NDList inputs = MicroBatch.collate(packed, m);
            NDArray logits = model.forward(inputs.get(0), inputs.get(1));
            float diff = Golden.maxAbsDiff(tensors.readFloats("packed.logits"), logits.toFloatArray());
            assertTrue(diff <= 1e-5, "packed logits differ by " + diff);
            NDArray labels = inputs.get(2);
            assertEquals(
                    expected.path("summed_loss").asDouble(),
                    NextTokenLoss.sum(logits, labels).getFloat(),
                    1e-4,
                    "about 1e-6 relative");
            assertEquals(
                    expected.path("mean_loss").asDouble(),
                    NextTokenLoss.mean(logits, labels).getFloat(),
                    1e-5);

            double aloneTotal = 0;
            for (int i = 0; i < examples.size(); i++) {
                NDList alone = MicroBatch.collate(List.of(examples.get(i)), m);
                NDArray aloneLogits = model.forward(alone.get(0), alone.get(1));
                float logitsDiff =
                        Golden.maxAbsDiff(tensors.readFloats("separate." + i + ".logits"), aloneLogits.toFloatArray());
                assertTrue(logitsDiff <= 1e-5, "example " + i + " logits differ by " + logitsDiff);
                double aloneSum = NextTokenLoss.sum(aloneLogits, alone.get(2)).getFloat();
                assertEquals(separate.get(i).path("summed_loss").asDouble(), aloneSum, 1e-4);
                int from = row.starts()[i];
                int to = i + 1 < row.starts().length ? row.starts()[i + 1] : row.length();
                String span = ":, " + from + ":" + to;
                double inRow =
                        NextTokenLoss.sum(logits.get(span), labels.get(span)).getFloat();
                assertEquals(aloneSum, inRow, 1e-5 * aloneSum, "example " + i + " in the row and alone");
                aloneTotal += aloneSum;
            }
            assertEquals(aloneTotal, NextTokenLoss.sum(logits, labels).getFloat(), 1e-5 * aloneTotal);

            // the contamination it replaces: one causal block over the whole row, positions running on
            NDArray contaminated =
                    model.forward(inputs.get(0), m.ones(inputs.get(1).getShape(), DataType.INT64));
            double off = NextTokenLoss.sum(contaminated, labels).getFloat() - aloneTotal;
            assertTrue(Math.abs(off) > 0.5, "attending across examples changes the loss (by " + off + ")");
        }
    }
}
