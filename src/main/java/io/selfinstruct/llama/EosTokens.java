package io.selfinstruct.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one rule for a model's end-of-sequence ids, used by training samples and generation alike, as
 * transformers' {@code generate} reads them: {@code generation_config.json}'s {@code eos_token_id}, else
 * config.json's, else the tokenizer's eos token. A training example ends with the first of them.
 */
public final class EosTokens {

    private EosTokens() {}

    /** The eos ids in the order their file lists them; empty when none of the three names one. */
    public static List<Long> of(Path modelDirectory, ModelConfig config, ModelTokenizer tokenizer) {
        Set<Long> ids = new LinkedHashSet<>();
        Path generation = modelDirectory.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            try {
                ModelConfig.ids(JsonMapper.builder()
                                .build()
                                .readTree(Files.readString(generation))
                                .path("eos_token_id"))
                        .forEach(id -> ids.add(id.longValue()));
            } catch (IOException | JacksonException e) {
                throw new ModelLoadException("cannot read " + generation + ": " + e.getMessage(), e);
            }
        }
        if (ids.isEmpty()) {
            config.eosTokenIds().forEach(id -> ids.add(id.longValue()));
        }
        if (ids.isEmpty()) {
            tokenizer.eosTokenId().ifPresent(ids::add);
        }
        return List.copyOf(ids);
    }
}
