package io.selfinstruct.llama.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the safetensors layout: an 8-byte little-endian header length, the JSON header (with
 * {@code __metadata__}, padded with spaces to 8 bytes as the reference writer does), then the tensors back to
 * back in header order. Tensors stream to the file one at a time.
 */
public final class SafetensorsWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, WritableTensor> tensors, Map<String, String> metadata) {
        Map<String, WritableTensor> ordered = new LinkedHashMap<>(tensors);
        List<TensorSpec> specs = new ArrayList<>();
        ordered.forEach((name, tensor) -> specs.add(new TensorSpec(name, tensor.dtype(), tensor.shape())));
        try (FileChannel out = create(file)) {
            writeFully(out, header(specs, metadata));
            for (WritableTensor tensor : ordered.values()) {
                writeFully(out, tensor.bytes().duplicate());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The length-prefixed, padded JSON header for tensors laid out back to back in this order. */
    static ByteBuffer header(List<TensorSpec> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorSpec tensor : tensors) {
            ObjectNode node = header.putObject(tensor.name());
            node.put("dtype", tensor.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offset += tensor.byteSize();
            offsets.add(offset);
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        return head.flip();
    }

    static FileChannel create(Path file) throws IOException {
        return FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
