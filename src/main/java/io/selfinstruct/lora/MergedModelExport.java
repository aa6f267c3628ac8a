package io.selfinstruct.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.safetensors.TensorInfo;
import io.selfinstruct.llama.safetensors.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A full model directory in the Hugging Face layout that transformers and vLLM load as is: the base model's
 * config, generation config, tokenizer files and chat template, and its weights in the base checkpoint's own
 * dtype, sharded as {@code save_pretrained} shards them, with the trained tensors in place of their originals.
 * A LoRA layer is merged as {@code W + B A * scaling} in float32 from the base file's original W (not the
 * float16 copy a GPU trained against), then rounded once to the base dtype. Tensors stream from the base
 * checkpoint to the shards one block at a time, so the Java heap holds a few megabytes, not the model.
 */
public final class MergedModelExport {

    /** Everything next to the weights that loading, tokenizing and chatting with the model reads. */
    static final List<String> COPIED = List.of(
            "config.json",
            "generation_config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "tokenizer.model",
            "added_tokens.json",
            "vocab.json",
            "merges.txt",
            "chat_template.jinja",
            "chat_template.json");

    /** Rows of a merged weight computed at once: about 1 MB of float32. */
    private static final int BLOCK_ELEMENTS = 1 << 18;

    private static final Pattern LAYER = Pattern.compile("\\.layers\\.(\\d+)\\.");

    private MergedModelExport() {}

    /**
     * @param lora LoRA layers by module path ({@code model.layers.0.self_attn.q_proj}), merged into their weights
     * @param replaced whole trained weights by transformers name ({@code lm_head.weight}), written as they are
     * @param maxShardBytes the shard size ({@link CheckpointWriter#DEFAULT_MAX_SHARD_BYTES} as transformers)
     */
    public static void write(
            Path baseModel,
            Path target,
            Map<String, LoraLinear> lora,
            Map<String, NDArray> replaced,
            long maxShardBytes) {
        copyFiles(baseModel, target);
        try (Checkpoint base = Checkpoint.open(baseModel)) {
            for (String path : lora.keySet()) {
                checkShape(
                        base,
                        path + ".weight",
                        lora.get(path).base().weight().getShape().getShape());
            }
            for (Map.Entry<String, NDArray> entry : replaced.entrySet()) {
                checkShape(base, entry.getKey(), entry.getValue().getShape().getShape());
            }
            List<TensorSpec> tensors = base.names().stream()
                    .sorted(Comparator.comparing(MergedModelExport::modelOrder))
                    .map(name -> {
                        TensorInfo info = base.info(name);
                        return new TensorSpec(name, info.dtype(), info.shape());
                    })
                    .toList();
            CheckpointWriter.write(target, tensors, maxShardBytes, (tensor, out) -> {
                String name = tensor.name();
                LoraLinear layer = name.endsWith(".weight") ? lora.get(name.substring(0, name.length() - 7)) : null;
                if (layer != null) {
                    writeMerged(base, tensor, layer, out);
                } else if (replaced.containsKey(name)) {
                    CheckpointWriter.writeArray(replaced.get(name), tensor.dtype(), out);
                } else {
                    base.transferTo(name, out);
                }
            });
        }
    }

    /** W + (B A) * scaling a block of rows at a time, in float32 as merge_and_unload computes the delta. */
    private static void writeMerged(Checkpoint base, TensorSpec tensor, LoraLinear lora, WritableByteChannel out)
            throws IOException {
        float[] a = hostFloats(lora.loraA()); // (r, in)
        float[] b = hostFloats(lora.loraB()); // (out, r)
        int rank = lora.rank();
        int in = (int) tensor.shape()[1];
        long rows = tensor.shape()[0];
        int rowsPerBlock = Math.max(1, BLOCK_ELEMENTS / in);
        for (long start = 0; start < rows; start += rowsPerBlock) {
            long first = start;
            int count = (int) Math.min(rowsPerBlock, rows - start);
            float[] w = new float[count * in];
            base.readFloats(tensor.name(), first * in, w);
            IntStream.range(0, count).parallel().forEach(i -> {
                float[] delta = new float[in];
                long row = first + i;
                for (int k = 0; k < rank; k++) {
                    float bk = b[(int) (row * rank + k)];
                    for (int j = 0; j < in; j++) {
                        delta[j] += bk * a[k * in + j];
                    }
                }
                for (int j = 0; j < in; j++) {
                    w[i * in + j] += delta[j] * lora.scaling();
                }
            });
            CheckpointWriter.writeFloats(w, w.length, tensor.dtype(), out);
        }
    }

    private static float[] hostFloats(NDArray array) {
        try (NDArray floats = array.toType(DataType.FLOAT32, true)) {
            return floats.toFloatArray();
        }
    }

    private static void checkShape(Checkpoint base, String name, long[] shape) {
        if (!base.contains(name)) {
            throw new ModelLoadException("trained tensor " + name + " is not in the base checkpoint");
        }
        if (!Arrays.equals(base.info(name).shape(), shape)) {
            throw new ModelLoadException("trained tensor " + name + " has shape " + Arrays.toString(shape)
                    + " but the base has " + base.info(name).shapeText());
        }
    }

    /** The model's own order (embeddings, layer 0, 1, ..., 10, norm, head) rather than 0, 1, 10, 11, 2. */
    private static String modelOrder(String name) {
        Matcher layer = LAYER.matcher(name);
        return layer.find()
                ? name.substring(0, layer.start(1))
                        + String.format("%06d", Integer.parseInt(layer.group(1)))
                        + name.substring(layer.end(1))
                : name;
    }

    private static void copyFiles(Path baseModel, Path target) {
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
    }
}
