package io.selfinstruct.llama;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's tokenizer: {@code tokenizer.json} through DJL's Hugging Face tokenizers (the Rust library, offline),
 * plus what {@code tokenizer_config.json} adds: bos/eos/pad tokens, and the chat template ({@link ChatTemplate#read}).
 */
public final class ModelTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Long> specialIds;
    private final String bosToken;
    private final String eosToken;
    private final String chatTemplate;

    private ModelTokenizer(
            HuggingFaceTokenizer tokenizer,
            Map<String, Long> specialIds,
            String bosToken,
            String eosToken,
            String chatTemplate) {
        this.tokenizer = tokenizer;
        this.specialIds = specialIds;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.chatTemplate = chatTemplate;
    }

    public static ModelTokenizer load(Path modelDirectory) {
        Path file = modelDirectory.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing file " + file);
        }
        JsonMapper json = JsonMapper.builder().build();
        try {
            Map<String, Long> special = new HashMap<>();
            for (JsonNode added :
                    json.readTree(Files.readString(file)).path("added_tokens").values()) {
                special.put(added.path("content").asString(), added.path("id").asLong());
            }
            JsonNode config = json.createObjectNode();
            Path configFile = modelDirectory.resolve("tokenizer_config.json");
            if (Files.isRegularFile(configFile)) {
                config = json.readTree(Files.readString(configFile));
            }
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    file, Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"));
            return new ModelTokenizer(
                    tokenizer,
                    special,
                    tokenText(config.path("bos_token")),
                    tokenText(config.path("eos_token")),
                    ChatTemplate.read(modelDirectory).orElse(null));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer from " + modelDirectory + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}, with the special tokens tokenizer.json's post-processor adds (e.g. bos). */
    public long[] encode(String text) {
        return tokenizer.encode(text, true, false).getIds();
    }

    /** Token ids of {@code text} alone (for text that already holds its special tokens, or continuations). */
    public long[] encodeWithoutSpecialTokens(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    public Optional<Long> tokenId(String specialToken) {
        return Optional.ofNullable(specialIds.get(specialToken));
    }

    public Optional<Long> eosTokenId() {
        return eosToken == null ? Optional.empty() : tokenId(eosToken);
    }

    public Optional<ChatTemplate> chatTemplate() {
        return chatTemplate == null
                ? Optional.empty()
                : Optional.of(new ChatTemplate(chatTemplate, bosToken, eosToken));
    }

    /** The chat template applied and tokenized as apply_chat_template does (no extra special tokens). */
    public long[] encodeChat(List<ChatTemplate.Message> messages) {
        ChatTemplate template =
                chatTemplate().orElseThrow(() -> new ModelLoadException("the model has no chat template"));
        return encodeWithoutSpecialTokens(template.render(messages, true));
    }

    private static String tokenText(JsonNode node) {
        if (node.isString()) {
            return node.asString();
        }
        return node.path("content").isString() ? node.get("content").asString() : null;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
