package io.selfinstruct.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.FrozenLinear;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.safetensors.SafetensorsDtype;
import io.selfinstruct.llama.safetensors.TensorSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The merged export's Java heap against the model's size: a child JVM with {@code -Xmx64m} (or {@code -Dmerged.export.heap}) exports a synthetic
 * model several gigabytes large (Qwen2-7B's shapes, two decoder layers, LoRA r 16 on all seven projections of both;
 * in float32 the embedding and head are 2.18 GB each, past 2 GiB) and reports its peak heap.
 * {@code mvn test -Dtest=MergedExportMemoryBenchmark -Dsurefire.excludedGroups=none}
 */
@Tag("benchmark")
class MergedExportMemoryBenchmark {

    /** The child's heap: {@code -Dmerged.export.heap=16m} to look for the floor. */
    private static final String HEAP = "-Xmx" + System.getProperty("merged.export.heap", "64m");

    private static final long VOCAB = 152_064;
    private static final long HIDDEN = 3_584;
    private static final long INTERMEDIATE = 18_944;
    private static final long KV = 512;
    private static final int LAYERS = 2;
    private static final int RANK = 16;
    private static final long SHARD_BYTES = 1_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"BF16", "F32"})
    void exportsAModelManyTimesTheHeapSize(String dtype) throws Exception {
        Path dir = Files.createTempDirectory("merged-export-benchmark");
        try {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            HEAP,
                            "-cp",
                            System.getProperty("java.class.path"),
                            MergedExportMemoryBenchmark.class.getName(),
                            dir.toString(),
                            dtype)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(child.getInputStream().readAllBytes());
            assertEquals(0, child.waitFor(), output);
            System.out.println(output);
            String report = output.lines()
                    .filter(l -> l.startsWith("merged-export"))
                    .findFirst()
                    .orElseThrow();
            long modelBytes = Long.parseLong(value(report, "model_bytes"));
            long peakHeap = Long.parseLong(value(report, "peak_heap_bytes"));
            assertTrue(modelBytes > 40 * peakHeap, report);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The child: writes the synthetic base, then times the export and measures the heap. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        SafetensorsDtype dtype = SafetensorsDtype.valueOf(args[1]);
        Path base = dir.resolve("base");
        List<TensorSpec> tensors = syntheticModel(dtype);
        float[] block = new float[1 << 18];
        Random random = new Random(1);
        for (int i = 0; i < block.length; i++) {
            block[i] = (float) random.nextGaussian() * 0.02f;
        }
        CheckpointWriter.write(base, tensors, SHARD_BYTES, (tensor, out) -> {
            for (long left = tensor.elementCount(); left > 0; left -= block.length) {
                CheckpointWriter.writeFloats(block, (int) Math.min(block.length, left), tensor.dtype(), out);
            }
        });
        long modelBytes = tensors.stream().mapToLong(TensorSpec::byteSize).sum();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Map<String, LoraLinear> lora = new LinkedHashMap<>();
            for (TensorSpec tensor : tensors) {
                if (tensor.name().startsWith("model.layers.")) {
                    String path = tensor.name().substring(0, tensor.name().length() - ".weight".length());
                    long out = tensor.shape()[0];
                    long in = tensor.shape()[1];
                    // the base weight only lends its shape: an undefined native tensor, outside the Java heap
                    FrozenLinear frozen = new FrozenLinear(manager.create(new Shape(out, in), DataType.FLOAT16), null);
                    lora.put(
                            path,
                            new LoraLinear(
                                    frozen,
                                    manager.randomNormal(0, 0.02f, new Shape(RANK, in), DataType.FLOAT32),
                                    manager.randomNormal(0, 0.02f, new Shape(out, RANK), DataType.FLOAT32),
                                    2f,
                                    0f));
                }
            }
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long start = System.nanoTime();
            MergedModelExport.write(base, dir.resolve("merged"), lora, Map.of(), SHARD_BYTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed())
                    .sum();
            int shards;
            try (Stream<Path> files = Files.list(dir.resolve("merged"))) {
                shards = (int) files.filter(p -> p.getFileName().toString().startsWith("model-"))
                        .count();
            }
            if (!Files.isRegularFile(dir.resolve("merged").resolve(Checkpoint.INDEX_FILE))) {
                throw new IllegalStateException("no index written");
            }
            System.out.printf(
                    "merged-export dtype=%s model_bytes=%d max_heap_bytes=%d peak_heap_bytes=%d shards=%d"
                            + " merged_tensors=%d seconds=%.1f%n",
                    dtype, modelBytes, Runtime.getRuntime().maxMemory(), peakHeap, shards, lora.size(), seconds);
        }
    }

    private static List<TensorSpec> syntheticModel(SafetensorsDtype dtype) {
        List<TensorSpec> tensors = new ArrayList<>();
        tensors.add(new TensorSpec("model.embed_tokens.weight", dtype, new long[] {VOCAB, HIDDEN}));
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            tensors.add(new TensorSpec(p + "self_attn.q_proj.weight", dtype, new long[] {HIDDEN, HIDDEN}));
            tensors.add(new TensorSpec(p + "self_attn.k_proj.weight", dtype, new long[] {KV, HIDDEN}));
            tensors.add(new TensorSpec(p + "self_attn.v_proj.weight", dtype, new long[] {KV, HIDDEN}));
            tensors.add(new TensorSpec(p + "self_attn.o_proj.weight", dtype, new long[] {HIDDEN, HIDDEN}));
            tensors.add(new TensorSpec(p + "mlp.gate_proj.weight", dtype, new long[] {INTERMEDIATE, HIDDEN}));
            tensors.add(new TensorSpec(p + "mlp.up_proj.weight", dtype, new long[] {INTERMEDIATE, HIDDEN}));
            tensors.add(new TensorSpec(p + "mlp.down_proj.weight", dtype, new long[] {HIDDEN, INTERMEDIATE}));
        }
        tensors.add(new TensorSpec("model.norm.weight", dtype, new long[] {HIDDEN}));
        tensors.add(new TensorSpec("lm_head.weight", dtype, new long[] {VOCAB, HIDDEN}));
        return tensors;
    }

    private static String value(String report, String key) {
        for (String field : report.split(" ")) {
            if (field.startsWith(key + "=")) {
                return field.substring(key.length() + 1);
            }
        }
        throw new IllegalStateException(key + " missing from " + report);
    }
}
