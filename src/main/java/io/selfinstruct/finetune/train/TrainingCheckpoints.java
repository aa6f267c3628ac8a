package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import io.selfinstruct.llama.safetensors.SafetensorsFile;
import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code checkpoint-<step>} directories holding one {@code state.safetensors}: the trainable weights by name,
 * AdamW's moments ({@code exp_avg.<name>}, {@code exp_avg_sq.<name>}) and the step in the metadata. A checkpoint
 * is written to a temporary directory and renamed into place, so a crash mid-write leaves the previous one whole.
 * Only the newest {@code keep} are kept.
 */
public record TrainingCheckpoints(Path directory, int keep) {

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String STATE = "state.safetensors";

    public void save(int step, TrainableWeights weights, AdamW optimizer) {
        Map<String, WritableTensor> tensors = new TreeMap<>();
        weights.byName().forEach((name, w) -> {
            tensors.put(name, WritableTensor.of(w));
            tensors.put("exp_avg." + name, WritableTensor.of(optimizer.expAvg().get(name)));
            tensors.put(
                    "exp_avg_sq." + name, WritableTensor.of(optimizer.expAvgSq().get(name)));
        });
        Path target = directory.resolve("checkpoint-" + step);
        Path temporary = directory.resolve("checkpoint-" + step + ".tmp");
        try {
            Files.createDirectories(temporary);
            SafetensorsWriter.write(
                    temporary.resolve(STATE),
                    tensors,
                    Map.of(
                            "format",
                            "pt",
                            "step",
                            Integer.toString(step),
                            "optimizer_steps",
                            Integer.toString(optimizer.steps())));
            deleteTree(target);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            List<Integer> steps = steps();
            for (int i = 0; i < steps.size() - keep; i++) {
                deleteTree(directory.resolve("checkpoint-" + steps.get(i)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /** The newest complete checkpoint's step, if any. */
    public OptionalInt latest() {
        List<Integer> steps = steps();
        return steps.isEmpty() ? OptionalInt.empty() : OptionalInt.of(steps.get(steps.size() - 1));
    }

    /** Copies the checkpoint's weights and moments into the run's tensors; returns its step. */
    public int restore(int step, TrainableWeights weights, AdamW optimizer) {
        try (SafetensorsFile file =
                SafetensorsFile.open(directory.resolve("checkpoint-" + step).resolve(STATE))) {
            for (Map.Entry<String, NDArray> entry : weights.byName().entrySet()) {
                String name = entry.getKey();
                copy(file, name, entry.getValue());
                copy(file, "exp_avg." + name, optimizer.expAvg().get(name));
                copy(file, "exp_avg_sq." + name, optimizer.expAvgSq().get(name));
            }
            optimizer.restoreSteps(Integer.parseInt(file.metadata().get("optimizer_steps")));
            return Integer.parseInt(file.metadata().get("step"));
        }
    }

    private static void copy(SafetensorsFile file, String name, NDArray target) {
        if (!file.contains(name)) {
            throw new IllegalStateException("checkpoint " + file.path() + " lacks " + name);
        }
        target.set(FloatBuffer.wrap(file.readFloats(name)));
    }

    private List<Integer> steps() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> NAME.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
