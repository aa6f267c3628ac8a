package io.selfinstruct.llama.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shard planning as huggingface_hub plans it, the index as transformers writes it, and torch's 16-bit rounding. */
class CheckpointWriterTest {

    @Test
    void shardsAsSplitStateDictIntoShards() {
        // the example of huggingface_hub's docstring: [6, 6, 2, 6, 2, 2] GB at 10 GB give [6], [6+2], [6+2+2]
        List<TensorSpec> tensors = List.of(t("a", 6), t("b", 6), t("c", 2), t("d", 6), t("e", 2), t("f", 2));
        assertEquals(List.of(List.of("a"), List.of("b", "c"), List.of("d", "e", "f")), names(tensors, 10));
        // a tensor above the limit sits alone, and the shard being filled carries on after it
        assertEquals(
                List.of(List.of("big"), List.of("a", "c")), names(List.of(t("a", 6), t("big", 12), t("c", 2)), 10));
    }

    @Test
    void indexIsJsonDumpsIndentTwoSortedKeys() {
        String index = CheckpointWriter.indexJson(
                List.of(t("b", 4), t("a", 8)),
                Map.of("b", "model-00002-of-00002.safetensors", "a", "model-00001-of-00002.safetensors"));
        assertEquals("""
                {
                  "metadata": {
                    "total_parameters": 12,
                    "total_size": 48
                  },
                  "weight_map": {
                    "a": "model-00001-of-00002.safetensors",
                    "b": "model-00002-of-00002.safetensors"
                  }
                }
                """, index);
    }

    @Test
    void float16RoundingIsTorchs() {
        Random random = new Random(7);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) {
            // magnitudes from far below the subnormals to past the largest half, plus exact ties
            values[i] = (float) ((random.nextBoolean() ? 1 : -1) * Math.pow(2, -30 + random.nextDouble() * 48));
        }
        float[] ties = {65504f, 65519f, 65520f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 0x1p-25f, 3 * 0x1p-25f, 0f, -0f};
        System.arraycopy(ties, 0, values, 0, ties.length);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray half = manager.create(values).toType(DataType.FLOAT16, false);
            java.nio.ByteBuffer torch = half.toByteBuffer().order(java.nio.ByteOrder.nativeOrder());
            for (int i = 0; i < values.length; i++) {
                assertEquals(torch.getShort(i * 2), HalfFloat.fromFloat(values[i]), "value " + values[i]);
            }
        }
        assertEquals((short) 0x7c00, HalfFloat.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7e00, HalfFloat.fromFloat(Float.NaN));
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, HalfFloat.bfloat16(Float.intBitsToFloat(0x3f808000))); // tie, even below
        assertEquals((short) 0x3f82, HalfFloat.bfloat16(Float.intBitsToFloat(0x3f818000))); // tie, even above
        assertEquals((short) 0x3f81, HalfFloat.bfloat16(Float.intBitsToFloat(0x3f808001)));
        assertEquals((short) 0x7fc0, HalfFloat.bfloat16(Float.NaN));
    }

    private static TensorSpec t(String name, long elements) {
        return new TensorSpec(name, SafetensorsDtype.F32, new long[] {elements});
    }

    private static List<List<String>> names(List<TensorSpec> tensors, long elementsPerShard) {
        return CheckpointWriter.shards(tensors, elementsPerShard * 4).stream()
                .map(s -> s.stream().map(TensorSpec::name).toList())
                .toList();
    }
}
