package io.selfinstruct.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one eos rule that training samples and generation share: generation_config, then config, then tokenizer. */
class EosTokensTest {

    @TempDir
    Path dir;

    @Test
    void generationConfigComesFirstInItsOrder() throws Exception {
        TinyModel model = TinyModel.write(dir, "llama", null, false, 1);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [7, 2, 5]}");
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir)) {
            assertThat(EosTokens.of(dir, model.config(), tokenizer)).containsExactly(7L, 2L, 5L);
        }
    }

    @Test
    void thenConfigThenTheTokenizersEosToken() throws Exception {
        TinyModel model = TinyModel.write(dir, "llama", null, false, 1);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir)) {
            assertThat(EosTokens.of(dir, model.config(), tokenizer)).containsExactly(2L);
            Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1}");
            assertThat(EosTokens.of(dir, model.config(), tokenizer))
                    .as("no eos in generation_config")
                    .containsExactly(2L);
            Files.writeString(
                    dir.resolve("config.json"),
                    Files.readString(dir.resolve("config.json")).replace("\"eos_token_id\": 2,", ""));
            ModelConfig withoutEos = ModelConfig.read(dir);
            assertThat(withoutEos.eosTokenIds()).isEmpty();
            assertThat(EosTokens.of(dir, withoutEos, tokenizer))
                    .as("the tokenizer's </s>")
                    .isEqualTo(List.of(tokenizer.eosTokenId().orElseThrow()));
        }
    }
}
