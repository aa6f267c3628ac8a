package io.selfinstruct.models;

import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.llama.TinyModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The model endpoints over a temp directory configured as the only model root, holding the golden tiny-llama
 * (model and PEFT adapter, copied there by the test) and a qwen2 model written in code.
 */
@SpringBootTest
@AutoConfigureMockMvc
class ModelControllerTest {

    static final Path ROOT = tempRoot();
    static final Path LLAMA = ROOT.resolve("tiny-llama");
    static final Path ADAPTER = ROOT.resolve("tiny-llama-adapter");
    static final Path QWEN = ROOT.resolve("tiny-qwen2");

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.models.roots", ROOT::toString);
        registry.add("selfinstruct.models.device", () -> "cpu");
        registry.add("selfinstruct.models.max-new-tokens", () -> "50");
    }

    @BeforeAll
    static void writeModels() {
        copy(
                "model",
                LLAMA,
                "config.json",
                "generation_config.json",
                "model.safetensors",
                "tokenizer.json",
                "tokenizer_config.json");
        copy("adapter", ADAPTER, "adapter_config.json", "adapter_model.safetensors");
        TinyModel.write(QWEN, "qwen2", null, false, 5);
    }

    @Test
    void evaluateInputIdsGivesTransformersLossWithAndWithoutAdapter() throws Exception {
        String ids = "[[1, 17, 99, 255, 3, 400, 511], [1, 328, 384]]";
        post("/api/models/evaluate", "{\"baseModel\": \"" + LLAMA + "\", \"inputIds\": " + ids + "}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].loss").value(closeTo(6.44564962387085, 1e-4)))
                .andExpect(jsonPath("$.results[0].tokens").value(7))
                .andExpect(jsonPath("$.results[1].tokens").value(3));
        post(
                        "/api/models/evaluate",
                        "{\"baseModel\": \"" + LLAMA + "\", \"adapter\": \"" + ADAPTER + "\", \"inputIds\": " + ids
                                + "}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].loss").value(closeTo(6.184108257293701, 1e-4)));
    }

    @Test
    void evaluateTextsTokenizesWithTheModelsTokenizer() throws Exception {
        post(
                        "/api/models/evaluate",
                        "{\"baseModel\": \"" + QWEN + "\", \"texts\": [\"Hello world\", \"The quick brown fox\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].tokens").value(8)) // <s> + 7 tokens, as the golden case
                .andExpect(jsonPath("$.results[1].loss").isNumber());
    }

    @Test
    void generateGreedyMatchesTransformersGenerate() throws Exception {
        post(
                        "/api/models/generate",
                        "{\"baseModel\": \"" + LLAMA + "\", \"inputIds\": [1, 42, 7, 300, 128],"
                                + " \"maxNewTokens\": 10, \"temperature\": 0}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokenIds", contains(229, 404, 191, 80, 19, 388, 191, 80, 344, 445)))
                .andExpect(jsonPath("$.text").isString());
        post(
                        "/api/models/generate",
                        "{\"baseModel\": \"" + LLAMA + "\", \"prompt\": \"Hello\", \"maxNewTokens\": 5,"
                                + " \"temperature\": 0.7, \"topP\": 0.9, \"seed\": 1, \"suppress\": [{\"text\": \"the\", \"factor\": 0.95}]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokenIds.length()").value(5));
    }

    /** The golden p2 runs of transformers' generate() (golden/extra/sequence_bias.json), by ids and by text. */
    @Test
    void sequenceBiasBadWordsAndSuppressSteerGenerationAsTransformersDoes() throws Exception {
        String request = "{\"baseModel\": \"" + LLAMA + "\", \"inputIds\": [1, 17, 99, 255, 3, 400, 511],"
                + " \"maxNewTokens\": 12, ";
        post("/api/models/generate", request + "\"temperature\": 0}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokenIds", contains(45, 72, 105, 93, 45, 93, 463, 486, 214, 45, 294, 463)));
        for (String trigram : List.of("\"tokenIds\": [45, 72, 105]", "\"text\": \"*Ef\"")) {
            post(
                            "/api/models/generate",
                            request + "\"sequenceBias\": [{" + trigram + ", \"bias\": -4.0},"
                                    + " {\"tokenIds\": [93], \"bias\": -2.0}]}")
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.tokenIds", contains(45, 72, 83, 45, 483, 14, 231, 115, 443, 294, 463, 45)));
            post("/api/models/generate", request + "\"badWords\": [{" + trigram + "}]}")
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.tokenIds", contains(45, 72, 83, 93, 45, 93, 45, 93, 483, 45, 93, 45)));
        }
        for (String pair : List.of("\"tokenIds\": [93, 463]", "\"text\": \"Zatri\"")) {
            post("/api/models/generate", request + "\"suppress\": [{" + pair + ", \"factor\": 0.95}]}")
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.tokenIds", contains(45, 72, 105, 93, 45, 93, 415, 93, 463, 463, 231, 352)));
        }
    }

    @Test
    void badSequenceOptionsAre400s() throws Exception {
        String request = "{\"baseModel\": \"" + LLAMA + "\", \"prompt\": \"Hi\", \"maxNewTokens\": 2, ";
        expect400(request + "\"badWords\": [{\"tokenIds\": []}]}", "badWords[0].tokenIds is empty");
        expect400(
                request + "\"sequenceBias\": [{\"tokenIds\": [5], \"text\": \"a\", \"bias\": -1}]}",
                "sequenceBias[0] needs exactly one of tokenIds or text");
        expect400(request + "\"suppress\": [{\"text\": \"a\"}]}", "suppress[0].factor must be in (0, 1]");
        expect400(request + "\"suppress\": [{\"tokenIds\": [5], \"factor\": 0}]}", "factor must be in (0, 1]");
        expect400(request + "\"suppress\": [{\"tokenIds\": [5], \"factor\": 1.5}]}", "factor must be in (0, 1]");
        expect400(
                request + "\"badWords\": [{\"tokenIds\": [5]}, {\"tokenIds\": [7, 512]}]}",
                "badWords[1] holds token id 512 outside the vocabulary (size 512)");
        expect400(
                request + "\"sequenceBias\": [{\"tokenIds\": [5], \"bias\": 1e400}]}",
                "sequenceBias[0].bias must be a finite number");
        expect400(
                request + "\"sequenceBias\": [{\"tokenIds\": [5], \"bias\": -1}],"
                        + " \"suppress\": [{\"tokenIds\": [5], \"factor\": 0.5}]}",
                "suppress[0] biases the same tokens as sequenceBias[0]");
        String entries = String.join(", ", java.util.Collections.nCopies(257, "{\"tokenIds\": [5]}"));
        expect400(request + "\"badWords\": [" + entries + "]}", "at most 256");
        String tokens = String.join(", ", java.util.Collections.nCopies(65, "5"));
        expect400(request + "\"badWords\": [{\"tokenIds\": [" + tokens + "]}]}", "at most 64");
        expect400(request + "\"suppress\": [{\"tokenIds\": [5], \"penalty\": 0.9}]}", "penalty");
    }

    @Test
    void pathsOutsideTheRootsAndBadSizesAre400() throws Exception {
        post("/api/models/evaluate", "{\"baseModel\": \"/etc\", \"texts\": [\"x y\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("outside the configured model roots")));
        post("/api/models/evaluate", "{\"baseModel\": \"" + ROOT + "/../..\", \"texts\": [\"x y\"]}")
                .andExpect(status().isBadRequest());
        post("/api/models/evaluate", "{\"baseModel\": \"" + ROOT + "/missing\", \"texts\": [\"x y\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("is not a directory")));
        post("/api/models/evaluate", "{\"baseModel\": \"" + ADAPTER + "\", \"texts\": [\"x y\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("config.json")));
        post("/api/models/evaluate", "{\"baseModel\": \"" + LLAMA + "\", \"inputIds\": [[1]]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("at least 2")));
        post("/api/models/evaluate", "{\"baseModel\": \"" + LLAMA + "\", \"inputIds\": [[1, 9999]]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("outside the vocabulary")));
        post("/api/models/evaluate", "{\"baseModel\": \"" + LLAMA + "\", \"texts\": []}")
                .andExpect(status().isBadRequest());
        post("/api/models/generate", "{\"baseModel\": \"" + LLAMA + "\", \"prompt\": \"Hi\", \"maxNewTokens\": 51}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("maxNewTokens")));
        post("/api/models/generate", "{\"baseModel\": \"" + LLAMA + "\", \"prompt\": \"Hi\", \"topP\": 0}")
                .andExpect(status().isBadRequest());
        post(
                        "/api/models/generate",
                        "{\"baseModel\": \"" + LLAMA
                                + "\", \"adapter\": \"/tmp\", \"prompt\": \"Hi\", \"maxNewTokens\": 5}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("adapter")));
    }

    private void expect400(String json, String detail) throws Exception {
        post("/api/models/generate", json)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString(detail)));
    }

    private ResultActions post(String url, String json) throws Exception {
        return mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(url)
                .header("X-API-Key", "test-key")
                .contentType(MediaType.APPLICATION_JSON)
                .content(json));
    }

    private static void copy(String part, Path target, String... files) {
        try {
            Files.createDirectories(target);
            for (String file : files) {
                try (InputStream in =
                        ModelControllerTest.class.getResourceAsStream("/golden/tiny-llama/" + part + "/" + file)) {
                    Files.copy(in, target.resolve(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempRoot() {
        try {
            Path root = Files.createTempDirectory("models-root");
            root.toFile().deleteOnExit();
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
