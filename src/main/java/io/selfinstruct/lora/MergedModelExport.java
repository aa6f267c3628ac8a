package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.SafetensorsWriter;
import io.selfinstruct.llama.safetensors.WritableTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A full model directory in the Hugging Face layout: the base model's config and tokenizer files, and a
 * {@code model.safetensors} (float32) holding every base tensor, with the trained or merged ones
 * ({@code W + B A * scaling} for LoRA) in place of their originals.
 */
public final class MergedModelExport {

    private static final List<String> COPIED = List.of(
            "config.json",
            "generation_config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json");

    private MergedModelExport() {}

    /** @param replaced weights by transformers name (e.g. {@code model.layers.0.self_attn.q_proj.weight}) */
    public static void write(Path baseModel, Path target, Map<String, NDArray> replaced) {
        try {
            Files.createDirectories(target);
            for (String file : COPIED) {
                if (Files.isRegularFile(baseModel.resolve(file))) {
                    Files.copy(baseModel.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        Map<String, WritableTensor> tensors = new TreeMap<>();
        try (Checkpoint base = Checkpoint.open(baseModel);
                NDManager manager = NDManager.newBaseManager()) {
            for (String name : base.names()) {
                NDArray weight = replaced.get(name);
                if (weight == null) {
                    weight = base.load(name, manager, DataType.FLOAT32);
                }
                tensors.put(
                        name,
                        WritableTensor.of(
                                weight.getDataType() == DataType.FLOAT32
                                        ? weight
                                        : weight.toType(DataType.FLOAT32, false)));
            }
        }
        SafetensorsWriter.write(target.resolve(Checkpoint.SINGLE_FILE), tensors, Map.of("format", "pt"));
    }
}
