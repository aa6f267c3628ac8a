package io.selfinstruct.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen2 (q/k/v bias, tied embeddings), mistral (sliding window) and a bf16 checkpoint have no transformers
 * golden values here: each is checked against {@link ReferenceForward}, written from the architecture's
 * definition, on a tiny model written in the Hugging Face layout by {@link TinyModel}.
 */
class ArchitectureParityTest {

    @TempDir
    Path dir;

    @Test
    void qwen2MatchesTheReferenceForward() {
        TinyModel tiny = TinyModel.write(dir, "qwen2", null, false, 11);
        assertTrue(tiny.config().qkvBias()
                && !tiny.config().oBias()
                && tiny.config().tieWordEmbeddings());
        assertParity(tiny, 20);
    }

    @Test
    void mistralSlidingWindowMatchesTheReferenceForward() {
        TinyModel tiny = TinyModel.write(dir, "mistral", 4, false, 12);
        assertEquals(4, tiny.config().slidingWindow());
        assertParity(tiny, 12);
    }

    @Test
    void bf16CheckpointLoadsAsFloat32() {
        TinyModel tiny = TinyModel.write(dir, "llama", null, true, 13);
        assertEquals("bfloat16", tiny.config().dtype());
        assertParity(tiny, 9);
    }

    private static void assertParity(TinyModel tiny, int length) {
        Random random = new Random(length);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = i == 0 ? 1 : 3 + random.nextInt(TinyModel.VOCAB - 3);
        }
        double[][] expected = new ReferenceForward(tiny.config(), tiny.weights()).logits(ids);
        try (LlamaModel model = LlamaLoader.load(tiny.dir(), Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            NDArray input = scope.create(ids, new Shape(1, length));
            NDArray logits = model.forward(input, null);
            float[] actual = logits.toFloatArray();
            double max = 0;
            for (int t = 0; t < length; t++) {
                for (int v = 0; v < TinyModel.VOCAB; v++) {
                    max = Math.max(max, Math.abs(expected[t][v] - actual[t * TinyModel.VOCAB + v]));
                }
            }
            assertTrue(max <= 1e-4, tiny.config().modelType() + " logits differ by " + max);
            assertEquals(
                    ReferenceForward.loss(expected, ids),
                    NextTokenLoss.mean(logits, input).getFloat(),
                    1e-4);
        }
    }
}
