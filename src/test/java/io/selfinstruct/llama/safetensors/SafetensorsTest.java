package io.selfinstruct.llama.safetensors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.ModelLoadException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    static final float[] VALUES = {1.5f, -2.25f, 0.1f, 3e-3f, 65504f, -0f};

    @Test
    void writesAndReadsF32WithMetadata() {
        Path file = dir.resolve("a.safetensors");
        Map<String, WritableTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", WritableTensor.f32(new long[] {2, 3}, VALUES));
        tensors.put("b", WritableTensor.f32(new long[] {1}, new float[] {7}));
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new long[] {2, 3}, st.info("w").shape());
            assertArrayEquals(VALUES, st.readFloats("w"));
            NDArray loaded = st.load("w", m, DataType.FLOAT32);
            assertEquals(new Shape(2, 3), loaded.getShape());
            assertArrayEquals(VALUES, loaded.toFloatArray());
            assertArrayEquals(new float[] {7}, st.readFloats("b"));
        }
    }

    @Test
    void headerIsPaddedToEightBytesAndDataFollows() throws Exception {
        Path file = dir.resolve("p.safetensors");
        SafetensorsWriter.write(file, Map.of("x", WritableTensor.f32(new long[] {1}, new float[] {2})), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLength =
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 4, bytes.length);
    }

    @Test
    void bf16AndF16WidenToFloat32AndMayLoadInRowBlocks() {
        Path file = dir.resolve("h.safetensors");
        float[] exact = {1.5f, -2.25f, 0.125f, 3f, 1024f, -0f}; // representable in both 16-bit formats
        NDArray f16;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            f16 = m.create(exact, new Shape(3, 2)).toType(DataType.FLOAT16, false);
            Map<String, WritableTensor> tensors = new LinkedHashMap<>();
            tensors.put("bf", WritableTensor.bf16(new long[] {3, 2}, exact));
            tensors.put("half", WritableTensor.of(f16));
            SafetensorsWriter.write(file, tensors, Map.of());
        }
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(SafetensorsDtype.BF16, st.info("bf").dtype());
            assertArrayEquals(exact, st.readFloats("bf"));
            assertArrayEquals(exact, st.readFloats("half"));
            assertArrayEquals(exact, st.load("bf", m, DataType.FLOAT32, 8).toFloatArray()); // one row per block
            assertArrayEquals(exact, st.load("half", m, DataType.FLOAT32, 8).toFloatArray());
            assertEquals(DataType.FLOAT16, st.load("bf", m, DataType.FLOAT16).getDataType());
        }
    }

    @Test
    void readsATensorStoredPastTwoGibibytes() throws Exception {
        // a sparse file: the padding tensor takes no disk, the tensor after it starts past 2^31
        long gap = (1L << 31) + 64;
        String header = "{\"pad\":{\"dtype\":\"F32\",\"shape\":[" + gap / 4 + "],\"data_offsets\":[0," + gap + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + gap + "," + (gap + 8) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer head =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
            raf.write(head.array());
            raf.write(json);
            raf.seek(8 + json.length + gap);
            ByteBuffer tail = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(4.5f)
                    .putFloat(-1f);
            raf.write(tail.array());
        }
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(gap, st.info("tail").begin());
            assertArrayEquals(
                    new float[] {4.5f, -1f},
                    st.load("tail", m, DataType.FLOAT32).toFloatArray());
        }
    }

    @Test
    void shardedCheckpointFindsTensorsThroughTheIndex() throws Exception {
        SafetensorsWriter.write(
                dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", WritableTensor.f32(new long[] {1}, new float[] {1})),
                Map.of());
        SafetensorsWriter.write(
                dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("b", WritableTensor.f32(new long[] {1}, new float[] {2})),
                Map.of());
        Files.writeString(
                dir.resolve(Checkpoint.INDEX_FILE),
                "{\"metadata\":{},\"weight_map\":{"
                        + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertArrayEquals(new float[] {2}, checkpoint.readFloats("b"));
            assertArrayEquals(new float[] {1}, checkpoint.readFloats("a"));
            assertThatThrownBy(() -> checkpoint.readFloats("c"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("tensor c is missing");
        }
    }

    @Test
    void clearErrorsForMissingFilesAndBadHeaders() throws Exception {
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing file")
                .hasMessageContaining("model.safetensors");
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(bad)).isInstanceOf(ModelLoadException.class);
        String header = "{\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length() + 1).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(header.length())
                .put(header.getBytes(StandardCharsets.UTF_8))
                .put((byte) 0);
        Files.write(bad, buffer.array());
        assertThatThrownBy(() -> SafetensorsFile.open(bad)).hasMessageContaining("dtype I8");
    }
}
