package io.selfinstruct.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.selfinstruct.llama.safetensors.SafetensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The golden values from transformers/PEFT (src/test/resources/golden, copied from shared/data/golden):
 * {@code golden.safetensors} holds the tensors, {@code golden-small.json} the ids, losses and token cases.
 */
public record Golden(Path root, JsonNode json) {

    public static final String[] MODELS = {"tiny-llama", "tiny-llama-tied", "tiny-llama3-rope"};

    public static Golden of(String name) {
        try {
            Path root = Path.of(Golden.class.getResource("/golden/" + name).toURI());
            return new Golden(
                    root, JsonMapper.builder().build().readTree(Files.readString(root.resolve("golden-small.json"))));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path modelDir() {
        return root.resolve("model");
    }

    public Path adapterDir() {
        return root.resolve("adapter");
    }

    public float[] tensor(String key) {
        try (SafetensorsFile file = SafetensorsFile.open(root.resolve("golden.safetensors"))) {
            return file.readFloats(key);
        }
    }

    public static long[] ids(JsonNode node) {
        long[] ids = new long[node.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = node.get(i).asLong();
        }
        return ids;
    }

    public static List<Long> idList(JsonNode node) {
        List<Long> ids = new ArrayList<>();
        node.values().forEach(n -> ids.add(n.asLong()));
        return ids;
    }

    public static float maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
