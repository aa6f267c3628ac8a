package io.selfinstruct.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.selfinstruct.finetune.data.AlpacaFile;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.models.ModelRoots;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An adapter trained here on PEFT's golden tiny-llama with PEFT's settings (r 8, alpha 16, q_proj/v_proj) has
 * exactly the files PEFT wrote: the same adapter_config.json fields and values (the base named by its directory, as PEFT names it), and the
 * same safetensors header, key by key in order, with dtype, shape, offsets and {"format":"pt"} metadata.
 */
class AdapterLayoutTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/tiny-llama");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void adapterFilesMatchPeftKeyByKey(@TempDir Path root) throws Exception {
        Path base = root.resolve("tiny-llama");
        Files.createDirectories(base);
        try (var files = Files.list(GOLDEN.resolve("model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, base.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String request = """
                {"baseModel": "%s", "lora": {"r": 8, "alpha": 16, "dropout": 0.0, "targetModules": ["q_proj", "v_proj"]},
                 "maxSteps": 2, "batchSize": 2, "microBatchSize": 2, "cutoffLen": 128, "evalSteps": 0, "sampleSteps": 0,
                 "sampleMaxNewTokens": 1, "saveSteps": 0, "device": "cpu"}
                """.formatted(base);
        FineTuneSpec spec =
                JSON.readValue(request, FineTuneRequest.class).toSpec(new ModelRoots(List.of(root.toString())), null);
        FineTuneRun.Result result = FineTuneRun.execute(
                spec,
                AlpacaFile.read(TinyLlama.alpacaFile()).subList(0, 4),
                root.resolve("job"),
                true,
                new QuietListener());

        JsonNode ours = JSON.readTree(Files.readString(result.outputDir().resolve("adapter_config.json")));
        JsonNode peft = JSON.readTree(Files.readString(GOLDEN.resolve("adapter/adapter_config.json")));
        assertEquals(fieldNames(peft), fieldNames(ours));
        for (String field : fieldNames(peft)) {
            if (!field.equals("base_model_name_or_path")) {
                assertEquals(peft.get(field), ours.get(field), field);
            }
        }
        assertEquals(peft.get("base_model_name_or_path"), ours.get("base_model_name_or_path"), "the name, as PEFT's");

        JsonNode ourHeader = header(result.outputDir().resolve("adapter_model.safetensors"));
        JsonNode peftHeader = header(GOLDEN.resolve("adapter/adapter_model.safetensors"));
        assertEquals(fieldNames(peftHeader), fieldNames(ourHeader), "the same tensor names in the same order");
        assertEquals(JSON.readTree("{\"format\":\"pt\"}"), ourHeader.get("__metadata__"));
        for (String key : fieldNames(peftHeader)) {
            assertEquals(peftHeader.get(key), ourHeader.get(key), key);
        }
        assertEquals(
                Files.size(GOLDEN.resolve("adapter/adapter_model.safetensors")),
                Files.size(result.outputDir().resolve("adapter_model.safetensors")));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }

    private static JsonNode header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file);
                DataInputStream data = new DataInputStream(in)) {
            byte[] length = data.readNBytes(8);
            long n = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return JSON.readTree(new String(data.readNBytes((int) n), StandardCharsets.UTF_8).strip());
        }
    }

    static class QuietListener implements FineTuneRun.Listener {
        final List<StepMetrics> metrics = new ArrayList<>();
        int resumedFrom = -1;

        @Override
        public void onStart(int totalSteps, int resumedFrom, int trainExamples, int validationExamples) {
            this.resumedFrom = resumedFrom;
        }

        @Override
        public void onStep(StepMetrics m, int totalSteps) {
            metrics.add(m);
        }

        @Override
        public void onSamples(List<FineTuneRun.Sample> samples) {}

        @Override
        public boolean stopRequested() {
            return false;
        }
    }
}
