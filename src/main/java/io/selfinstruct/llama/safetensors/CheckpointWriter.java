package io.selfinstruct.llama.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a model's weights the way transformers' {@code save_pretrained} lays them out: one
 * {@code model.safetensors}, or past the shard size {@code model-00001-of-0000N.safetensors} ... with
 * {@code model.safetensors.index.json} ({@code metadata.total_size}, {@code weight_map}). Headers are known from
 * the tensor specs up front, so each tensor's bytes stream to its shard one at a time, never the whole model in
 * memory.
 */
public final class CheckpointWriter {

    /** save_pretrained's default {@code max_shard_size="5GB"}, parsed as huggingface_hub does (10^9 bytes). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private static final Map<String, String> METADATA = Map.of("format", "pt");
    /** Elements per block when streaming a tensor: 1 MB of float32. */
    static final int BLOCK_ELEMENTS = 1 << 18;

    /** The bytes of one tensor, written in order: exactly {@link TensorSpec#byteSize()} of them, little-endian. */
    @FunctionalInterface
    public interface TensorBytes {
        void write(TensorSpec tensor, WritableByteChannel out) throws IOException;
    }

    private CheckpointWriter() {}

    /** A model directory's weights, sharded at {@code maxShardBytes} (the files of an earlier export removed). */
    public static void write(Path directory, List<TensorSpec> tensors, long maxShardBytes, TensorBytes content) {
        List<List<TensorSpec>> shards = shards(tensors, maxShardBytes);
        try {
            Files.createDirectories(directory);
            removeWeights(directory);
            if (shards.size() == 1) {
                writeFile(directory.resolve(Checkpoint.SINGLE_FILE), shards.get(0), content);
                return;
            }
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                shards.get(i).forEach(t -> weightMap.put(t.name(), name));
                writeFile(directory.resolve(name), shards.get(i), content);
            }
            Files.writeString(directory.resolve(Checkpoint.INDEX_FILE), indexJson(tensors, weightMap));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + directory, e);
        }
    }

    /** One safetensors file (a shard, or a PEFT adapter), tensors in the given order, {"format": "pt"}. */
    public static void writeFile(Path file, List<TensorSpec> tensors, TensorBytes content) {
        try (FileChannel out = SafetensorsWriter.create(file)) {
            SafetensorsWriter.writeFully(out, SafetensorsWriter.header(tensors, METADATA));
            for (TensorSpec tensor : tensors) {
                long before = out.position();
                content.write(tensor, out);
                if (out.position() - before != tensor.byteSize()) {
                    throw new IllegalStateException("tensor " + tensor.name() + " wrote " + (out.position() - before)
                            + " bytes, not " + tensor.byteSize());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * huggingface_hub's {@code split_state_dict_into_shards_factory}: tensors in order, a new shard when the next
     * would tip the current one over the limit, and a tensor larger than the limit alone in its own shard.
     */
    static List<List<TensorSpec>> shards(List<TensorSpec> tensors, long maxShardBytes) {
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorSpec tensor : tensors) {
            if (tensor.byteSize() > maxShardBytes) {
                shards.add(List.of(tensor));
                continue;
            }
            if (currentBytes + tensor.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(tensor);
            currentBytes += tensor.byteSize();
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    /** transformers' index: {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}. */
    static String indexJson(List<TensorSpec> tensors, Map<String, String> weightMap) {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode index = json.createObjectNode();
        ObjectNode metadata = index.putObject("metadata");
        metadata.put(
                "total_parameters",
                tensors.stream().mapToLong(TensorSpec::elementCount).sum());
        metadata.put(
                "total_size", tensors.stream().mapToLong(TensorSpec::byteSize).sum());
        ObjectNode map = index.putObject("weight_map");
        new TreeMap<>(weightMap).forEach(map::put); // sort_keys
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(
                        Separators.createDefaultInstance().withObjectNameValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return json.writer().with(pretty).writeValueAsString(index) + "\n";
    }

    /**
     * Streams an engine tensor (any device, float32 or float16) as {@code dtype}, a block of rows at a time, so a
     * tensor of any size passes through a few megabytes of Java heap.
     */
    public static void writeArray(NDArray array, SafetensorsDtype dtype, WritableByteChannel out) throws IOException {
        long[] shape = array.getShape().getShape();
        long rows = shape.length == 0 ? 1 : shape[0];
        long rowElements = rows == 0 ? 0 : array.size() / rows;
        long rowsPerBlock = Math.max(1, BLOCK_ELEMENTS / Math.max(1, rowElements));
        for (long start = 0; start < rows; start += rowsPerBlock) {
            long end = Math.min(rows, start + rowsPerBlock);
            float[] values;
            if (shape.length == 0) {
                values = array.toType(DataType.FLOAT32, true).toFloatArray();
            } else {
                try (NDArray block = array.get(new NDIndex("{}:{}", start, end));
                        NDArray floats = block.toType(DataType.FLOAT32, true)) {
                    values = floats.toFloatArray();
                }
            }
            writeFloats(values, values.length, dtype, out);
        }
    }

    /** The first {@code count} values as {@code dtype}, rounded as torch rounds. */
    public static void writeFloats(float[] values, int count, SafetensorsDtype dtype, WritableByteChannel out)
            throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(count * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        dtype.encode(values, count, bytes);
        SafetensorsWriter.writeFully(out, bytes.flip());
    }

    private static void removeWeights(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.equals(Checkpoint.INDEX_FILE) || name.matches("model(-\\d{5}-of-\\d{5})?\\.safetensors")) {
                    Files.delete(file);
                }
            }
        }
    }
}
