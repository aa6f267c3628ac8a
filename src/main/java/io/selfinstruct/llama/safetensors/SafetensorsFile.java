package io.selfinstruct.llama.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.selfinstruct.llama.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a safetensors file tensor by tensor through memory maps of each tensor's own byte range, so that a
 * 5 GB shard never sits in one Java array (DJL's own decoder reads the whole file into a byte[] with int offsets
 * and fails past 2 GiB). BF16 and F16 are widened to float32 while copying into the native tensor, because
 * DJL 0.36's PyTorch engine aborts the process when handed bfloat16.
 */
public final class SafetensorsFile implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Largest float32 block handed to the engine at once; bigger tensors are loaded in row blocks. */
    static final long MAX_BLOCK_BYTES = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException("missing file " + path);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long fileSize = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > fileSize) {
                throw new ModelLoadException(path + " is not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                if (entry.getKey().equals("__metadata__")) {
                    entry.getValue()
                            .properties()
                            .forEach(m -> metadata.put(m.getKey(), m.getValue().asString()));
                    continue;
                }
                TensorInfo info = parseEntry(entry.getKey(), entry.getValue());
                if (dataStart + info.end() > fileSize) {
                    throw new ModelLoadException(
                            "tensor " + info.name() + " in " + path + " ends past the end of the file");
                }
                tensors.put(info.name(), info);
            }
            return new SafetensorsFile(
                    path,
                    channel,
                    dataStart,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        }
    }

    private static TensorInfo parseEntry(String name, JsonNode node) {
        SafetensorsDtype dtype = SafetensorsDtype.parse(node.path("dtype").asString(), name);
        JsonNode shapeNode = node.path("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        JsonNode offsets = node.path("data_offsets");
        TensorInfo info = new TensorInfo(
                name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
        if (info.byteSize() != info.elementCount() * dtype.bytes()) {
            throw new ModelLoadException("tensor " + name + " has " + info.byteSize() + " bytes for shape "
                    + info.shapeText() + " of " + dtype);
        }
        return info;
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelLoadException("tensor " + name + " is missing from " + path);
        }
        return info;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor as float32 values; for small tensors (tests, adapters): at most 2^31 - 1 elements. */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        if (info.elementCount() > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException("tensor " + name + " is too large for a Java array; load it as an NDArray");
        }
        ByteBuffer out = ByteBuffer.allocate((int) info.elementCount() * 4).order(ByteOrder.nativeOrder());
        widen(info.dtype(), map(info, info.begin(), info.byteSize()), out);
        float[] values = new float[(int) info.elementCount()];
        out.flip();
        out.asFloatBuffer().get(values);
        return values;
    }

    /**
     * Reads {@code into.length} elements as float32, starting at element {@code firstElement} (a long: tensors of
     * any size), so a tensor can be streamed through a small block.
     */
    public void readFloats(String name, long firstElement, float[] into) {
        TensorInfo info = info(name);
        if (firstElement < 0 || firstElement + into.length > info.elementCount()) {
            throw new ModelLoadException("elements " + firstElement + " + " + into.length + " lie outside tensor "
                    + name + " of " + info.elementCount());
        }
        long width = info.dtype().bytes();
        ByteBuffer out = ByteBuffer.allocate(into.length * 4).order(ByteOrder.nativeOrder());
        widen(info.dtype(), map(info, info.begin() + firstElement * width, into.length * width), out);
        out.flip().asFloatBuffer().get(into);
    }

    /** Copies the tensor's bytes as they are to {@code out}, through the operating system (no Java array). */
    public void transferTo(String name, WritableByteChannel out) throws IOException {
        TensorInfo info = info(name);
        long position = dataStart + info.begin();
        long end = dataStart + info.end();
        while (position < end) {
            long sent = channel.transferTo(position, end - position, out);
            if (sent <= 0) {
                throw new IOException("cannot copy tensor " + name + " of " + path);
            }
            position += sent;
        }
    }

    /**
     * Loads the tensor into {@code manager} as {@code target} (FLOAT32 or FLOAT16). Tensors whose float32 form
     * exceeds {@link #MAX_BLOCK_BYTES} are read in blocks of rows and concatenated by the engine.
     */
    public NDArray load(String name, NDManager manager, DataType target) {
        return load(name, manager, target, MAX_BLOCK_BYTES);
    }

    NDArray load(String name, NDManager manager, DataType target, long maxBlockBytes) {
        TensorInfo info = info(name);
        Shape shape = new Shape(info.shape());
        long rows = info.shape().length == 0 ? 1 : info.shape()[0];
        long rowElements = rows == 0 ? 0 : info.elementCount() / rows;
        long rowsPerBlock = Math.max(1, maxBlockBytes / Math.max(1, rowElements * 4));
        if (rows <= rowsPerBlock || info.shape().length == 0) {
            return loadRows(info, 0, rows, shape, manager, target);
        }
        NDList blocks = new NDList();
        try {
            for (long start = 0; start < rows; start += rowsPerBlock) {
                long count = Math.min(rowsPerBlock, rows - start);
                long[] blockShape = info.shape().clone();
                blockShape[0] = count;
                blocks.add(loadRows(info, start, count, new Shape(blockShape), manager, target));
            }
            return NDArrays.concat(blocks, 0);
        } finally {
            blocks.close();
        }
    }

    private NDArray loadRows(
            TensorInfo info, long firstRow, long rowCount, Shape shape, NDManager manager, DataType target) {
        long rows = info.shape().length == 0 ? 1 : info.shape()[0];
        long rowBytes = rows == 0 ? 0 : info.byteSize() / rows;
        ByteBuffer source = map(info, info.begin() + firstRow * rowBytes, rowCount * rowBytes);
        if (info.dtype() == SafetensorsDtype.F16) {
            // float16 is a type the engine handles natively: hand the bytes over and let it convert
            ByteBuffer direct = ByteBuffer.allocateDirect(source.remaining()).order(ByteOrder.nativeOrder());
            copyLittleEndianShorts(source, direct);
            NDArray half = manager.create(direct.flip(), shape, DataType.FLOAT16);
            if (target == DataType.FLOAT16) {
                return half;
            }
            NDArray widened = half.toType(DataType.FLOAT32, false);
            half.close();
            return widened;
        }
        ByteBuffer floats = ByteBuffer.allocateDirect((int) (shape.size() * 4)).order(ByteOrder.nativeOrder());
        widen(info.dtype(), source, floats);
        NDArray array = manager.create(floats.flip(), shape, DataType.FLOAT32);
        if (target == DataType.FLOAT16) {
            NDArray half = array.toType(DataType.FLOAT16, false);
            array.close();
            return half;
        }
        return array;
    }

    private static void copyLittleEndianShorts(ByteBuffer source, ByteBuffer out) {
        while (source.hasRemaining()) {
            out.putShort(source.getShort());
        }
    }

    /** Writes {@code source} as float32 into {@code out}: bf16 is the top half of a float32, f16 is decoded. */
    private static void widen(SafetensorsDtype dtype, ByteBuffer source, ByteBuffer out) {
        switch (dtype) {
            case F32 -> {
                while (source.hasRemaining()) {
                    out.putFloat(source.getFloat());
                }
            }
            case BF16 -> {
                while (source.hasRemaining()) {
                    out.putInt((source.getShort() & 0xffff) << 16);
                }
            }
            case F16 -> {
                while (source.hasRemaining()) {
                    out.putFloat(HalfFloat.toFloat(source.getShort()));
                }
            }
        }
    }

    private ByteBuffer map(TensorInfo info, long begin, long length) {
        if (length > Integer.MAX_VALUE) {
            throw new ModelLoadException("tensor " + info.name() + " block of " + length + " bytes cannot be mapped");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelLoadException("cannot map tensor " + info.name() + " of " + path + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the open failure is the error worth reporting
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
