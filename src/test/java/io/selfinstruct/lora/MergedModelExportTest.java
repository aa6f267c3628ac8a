package io.selfinstruct.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.Golden;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.SafetensorsDtype;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The merged export against an in-memory merge (the base weights in float32 plus {@link LoraLinear#mergedWeight},
 * rounded once to the base dtype): sharded as save_pretrained shards, in the base checkpoint's dtype, with the
 * index transformers reads and the tokenizer, chat template and generation config beside it.
 */
class MergedModelExportTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Golden GOLDEN = Golden.of("tiny-llama");
    /** The tiny model is about 1 MB in float32: 200 kB shards make several. */
    private static final long SHARD_BYTES = 200_000;

    @Test
    void bf16BaseIsMergedInFloat32AndWrittenInBf16Shards(@TempDir Path dir) throws Exception {
        Path base = baseIn(dir.resolve("base"), SafetensorsDtype.BF16);
        Path merged = dir.resolve("merged");
        Map<String, float[]> expected = exportAndReference(base, merged);

        JsonNode index = JSON.readTree(Files.readString(merged.resolve(Checkpoint.INDEX_FILE)));
        JsonNode weightMap = index.path("weight_map");
        Set<String> shards = new TreeSet<>();
        weightMap.properties().forEach(e -> shards.add(e.getValue().asString()));
        int count = shards.size();
        assertTrue(count > 2, "several shards of at most " + SHARD_BYTES + " bytes: " + shards);
        for (int i = 1; i <= count; i++) {
            assertTrue(shards.contains(String.format("model-%05d-of-%05d.safetensors", i, count)), shards::toString);
        }
        long totalSize = 0;
        long totalParameters = 0;
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            try (SafetensorsFile shard =
                            SafetensorsFile.open(merged.resolve(entry.getValue().asString()));
                    SafetensorsFile original = SafetensorsFile.open(base.resolve(Checkpoint.SINGLE_FILE))) {
                String name = entry.getKey();
                assertEquals(SafetensorsDtype.BF16, shard.info(name).dtype(), name);
                assertArrayEquals(original.info(name).shape(), shard.info(name).shape(), name);
                assertArrayEquals(bf16(expected.get(name)), shard.readFloats(name), name);
                assertEquals(Map.of("format", "pt"), shard.metadata());
                totalSize += shard.info(name).byteSize();
                totalParameters += shard.info(name).elementCount();
                assertTrue(Files.size(shard.path()) < SHARD_BYTES + 4096, shard.path() + " exceeds the shard size");
            }
        }
        assertEquals(expected.keySet(), fieldNames(weightMap), "every base tensor, each in one shard");
        assertEquals(totalSize, index.path("metadata").path("total_size").asLong());
        assertEquals(
                totalParameters, index.path("metadata").path("total_parameters").asLong());
        assertTrue(
                Files.readString(merged.resolve(Checkpoint.INDEX_FILE))
                        .startsWith("{\n  \"metadata\": {\n    \"total_parameters\": " + totalParameters
                                + ",\n    \"total_size\": " + totalSize + "\n  },\n  \"weight_map\": {\n    \""),
                "json.dumps(index, indent=2, sort_keys=True) layout");
        assertTrue(Files.readString(merged.resolve(Checkpoint.INDEX_FILE)).endsWith("}\n}\n"));
        assertTrue(Files.notExists(merged.resolve(Checkpoint.SINGLE_FILE)));

        for (String file : List.of(
                "config.json",
                "generation_config.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "special_tokens_map.json",
                "chat_template.jinja")) {
            assertEquals(Files.readString(base.resolve(file)), Files.readString(merged.resolve(file)), file);
        }
    }

    @Test
    void float32BaseStaysFloat32AndLoadsWithTheAdaptersLogits(@TempDir Path dir) throws Exception {
        Path merged = dir.resolve("merged");
        Map<String, float[]> expected = exportAndReference(GOLDEN.modelDir(), merged);
        try (Checkpoint written = Checkpoint.open(merged)) {
            assertEquals(expected.keySet(), written.names());
            for (String name : expected.keySet()) {
                assertEquals(SafetensorsDtype.F32, written.info(name).dtype(), name);
                float[] values = written.readFloats(name);
                for (int i = 0; i < values.length; i++) {
                    assertEquals(expected.get(name)[i], values[i], 1e-6f, name + "[" + i + "]");
                }
            }
        }
        try (LlamaModel adapted = LlamaLoader.load(GOLDEN.modelDir(), Device.cpu(), DataType.FLOAT32);
                LlamaModel reloaded = LlamaLoader.load(merged, Device.cpu(), DataType.FLOAT32);
                NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            PeftAdapter.apply(GOLDEN.adapterDir(), adapted);
            NDArray input = scope.create(new long[] {1, 17, 99, 255, 3, 400, 511}, new Shape(1, 7));
            float diff = Golden.maxAbsDiff(
                    adapted.forward(input, null).toFloatArray(),
                    reloaded.forward(input, null).toFloatArray());
            assertTrue(diff < 1e-4f, "merged model's logits differ from base + adapter by " + diff);
        }
    }

    @Test
    void float16BaseIsWrittenInFloat16(@TempDir Path dir) throws Exception {
        Path base = baseIn(dir.resolve("base"), SafetensorsDtype.F16);
        Path merged = dir.resolve("merged");
        exportAndReference(base, merged);
        try (Checkpoint written = Checkpoint.open(merged)) {
            for (String name : written.names()) {
                assertEquals(SafetensorsDtype.F16, written.info(name).dtype(), name);
            }
        }
    }

    @Test
    void aSmallModelIsOneFileWithoutIndex(@TempDir Path dir) {
        Path merged = dir.resolve("merged");
        try (LlamaModel model = LlamaLoader.load(GOLDEN.modelDir(), Device.cpu(), DataType.FLOAT32)) {
            MergedModelExport.write(
                    GOLDEN.modelDir(), merged, PeftAdapter.apply(GOLDEN.adapterDir(), model), Map.of(), 1L << 30);
        }
        assertTrue(Files.isRegularFile(merged.resolve(Checkpoint.SINGLE_FILE)));
        assertTrue(Files.notExists(merged.resolve(Checkpoint.INDEX_FILE)));
    }

    /**
     * Exports base + the golden adapter (loaded onto a model of {@code base}, as a run trains it) and returns the
     * in-memory reference merge in float32 by tensor name.
     */
    private static Map<String, float[]> exportAndReference(Path base, Path merged) {
        Map<String, float[]> expected = new LinkedHashMap<>();
        try (LlamaModel model = LlamaLoader.load(base, Device.cpu(), DataType.FLOAT32);
                Checkpoint original = Checkpoint.open(base)) {
            Map<String, LoraLinear> lora = PeftAdapter.apply(GOLDEN.adapterDir(), model);
            MergedModelExport.write(base, merged, lora, Map.of(), SHARD_BYTES);
            Map<String, NDArray> mergedWeights = PeftAdapter.mergedWeights(lora);
            for (String name : original.names()) {
                NDArray weight = mergedWeights.get(name);
                expected.put(name, weight == null ? original.readFloats(name) : weight.toFloatArray());
            }
            assertEquals(8, mergedWeights.size(), "q_proj and v_proj of 4 layers were merged");
        }
        return expected;
    }

    /** The golden tiny-llama with its weights rounded to {@code dtype}, and a chat template file beside them. */
    private static Path baseIn(Path dir, SafetensorsDtype dtype) throws Exception {
        Files.createDirectories(dir);
        try (var files = Files.list(GOLDEN.modelDir())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0]['content'] }}");
        Map<String, WritableTensor> tensors = new HashMap<>();
        try (SafetensorsFile f32 = SafetensorsFile.open(GOLDEN.modelDir().resolve(Checkpoint.SINGLE_FILE));
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (String name : f32.names()) {
                float[] values = f32.readFloats(name);
                long[] shape = f32.info(name).shape();
                tensors.put(
                        name,
                        dtype == SafetensorsDtype.BF16
                                ? WritableTensor.bf16(shape, values)
                                : WritableTensor.of(
                                        manager.create(values, new Shape(shape)).toType(DataType.FLOAT16, false)));
            }
        }
        SafetensorsWriter.write(dir.resolve(Checkpoint.SINGLE_FILE), tensors, Map.of("format", "pt"));
        return dir;
    }

    /** Rounded to bfloat16 by the oracle writer (torch's round-to-nearest-even) and widened back. */
    private static float[] bf16(float[] values) {
        ByteBuffer bytes =
                WritableTensor.bf16(new long[] {values.length}, values).bytes();
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = Float.intBitsToFloat((bytes.getShort(i * 2) & 0xffff) << 16);
        }
        return rounded;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }
}
