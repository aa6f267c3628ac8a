package io.selfinstruct.llama.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.ModelLoadException;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The weights of a Hugging Face model directory: one {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}'s {@code weight_map}. Tensors are looked up by name across shards.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Map<String, SafetensorsFile> byTensor;
    private final Map<String, SafetensorsFile> files;

    private Checkpoint(Map<String, SafetensorsFile> byTensor, Map<String, SafetensorsFile> files) {
        this.byTensor = byTensor;
        this.files = files;
    }

    public static Checkpoint open(Path directory) {
        Path index = directory.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(directory, index);
        }
        Path single = directory.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new ModelLoadException("missing file " + single + " (and no " + INDEX_FILE + ")");
        }
        return of(single);
    }

    /** A checkpoint made of one file, e.g. a PEFT {@code adapter_model.safetensors}. */
    public static Checkpoint of(Path file) {
        SafetensorsFile st = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        st.names().forEach(n -> byTensor.put(n, st));
        return new Checkpoint(byTensor, Map.of(file.getFileName().toString(), st));
    }

    private static Checkpoint openSharded(Path directory, Path index) {
        JsonNode weightMap;
        try {
            weightMap = JsonMapper.builder()
                    .build()
                    .readTree(Files.readString(index))
                    .path("weight_map");
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read " + index + ": " + e.getMessage(), e);
        }
        if (!weightMap.isObject()) {
            throw new ModelLoadException(index + " has no weight_map");
        }
        Map<String, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
                String shard = entry.getValue().asString();
                Path shardPath = directory.resolve(shard).normalize();
                if (!shardPath.startsWith(directory.normalize())) {
                    throw new ModelLoadException(
                            "shard " + shard + " in " + index + " lies outside the model directory");
                }
                SafetensorsFile file = files.computeIfAbsent(shard, s -> SafetensorsFile.open(shardPath));
                if (!file.contains(entry.getKey())) {
                    throw new ModelLoadException(
                            "tensor " + entry.getKey() + " is listed in " + index + " but missing from " + shard);
                }
                byTensor.put(entry.getKey(), file);
            }
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(byTensor, files);
    }

    public Set<String> names() {
        return new TreeSet<>(byTensor.keySet());
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    public NDArray load(String name, NDManager manager, DataType target) {
        return file(name).load(name, manager, target);
    }

    public float[] readFloats(String name) {
        return file(name).readFloats(name);
    }

    /** See {@link SafetensorsFile#readFloats(String, long, float[])}. */
    public void readFloats(String name, long firstElement, float[] into) {
        file(name).readFloats(name, firstElement, into);
    }

    /** See {@link SafetensorsFile#transferTo(String, WritableByteChannel)}. */
    public void transferTo(String name, WritableByteChannel out) throws IOException {
        file(name).transferTo(name, out);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = byTensor.get(name);
        if (file == null) {
            throw new ModelLoadException(
                    "tensor " + name + " is missing from the checkpoint (" + String.join(", ", files.keySet()) + ")");
        }
        return file;
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
