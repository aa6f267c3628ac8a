package io.selfinstruct.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's own {@code chat_template} rendered as transformers' {@code apply_chat_template(tokenize=False)}
 * renders it: the template gets {@code messages}, {@code add_generation_prompt}, the {@code bos_token} and
 * {@code eos_token} the tokenizer config names (left undefined when it names none) and the caller's extra
 * variables ({@code date_string}, {@code tools}, ...); {@link TransformersJinja} says how it is rendered.
 */
public final class ChatTemplate {

    public record Message(String role, String content) {}

    /** Variables the caller gives by their own fields, not among the extra ones. */
    public static final Set<String> RESERVED_ARGS = Set.of("messages", "add_generation_prompt");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this(source, bosToken, eosToken, Clock.systemDefaultZone());
    }

    /** {@code clock} is what {@code strftime_now} reads. */
    public ChatTemplate(String source, String bosToken, String eosToken, Clock clock) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.clock = clock;
    }

    public String source() {
        return source;
    }

    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * @param templateArgs extra template variables, as {@code apply_chat_template(**kwargs)} passes them; they
     *     override bos_token and eos_token, as there
     * @throws ChatTemplateException carrying the template's own message when it refuses the conversation
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, ?> templateArgs) {
        for (String reserved : RESERVED_ARGS) {
            if (templateArgs.containsKey(reserved)) {
                throw new ChatTemplateException(reserved + " is not an extra template variable");
            }
        }
        Map<String, Object> context = new HashMap<>();
        if (bosToken != null) {
            context.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            context.put("eos_token", eosToken);
        }
        context.putAll(templateArgs);
        context.put(
                "messages", messages.stream().map(ChatTemplate::templateMessage).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        return TransformersJinja.render(source, context, clock);
    }

    private static Map<String, Object> templateMessage(Message message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", message.role());
        m.put("content", message.content());
        return m;
    }

    /**
     * The chat template of a model directory, where transformers looks for it: {@code chat_template.jinja} (what
     * newer transformers writes), else {@code chat_template.json}'s {@code chat_template}, else
     * {@code tokenizer_config.json}'s. A named list of templates gives its "default" one.
     */
    public static Optional<String> read(Path modelDirectory) {
        try {
            Path jinja = modelDirectory.resolve("chat_template.jinja");
            if (Files.isRegularFile(jinja)) {
                return Optional.of(Files.readString(jinja));
            }
            for (String file : List.of("chat_template.json", "tokenizer_config.json")) {
                Path json = modelDirectory.resolve(file);
                if (Files.isRegularFile(json)) {
                    Optional<String> template =
                            fromConfig(JSON.readTree(Files.readString(json)).path("chat_template"));
                    if (template.isPresent()) {
                        return template;
                    }
                }
            }
            return Optional.empty();
        } catch (IOException | JacksonException e) {
            throw new ModelLoadException(
                    "cannot read the chat template of " + modelDirectory + ": " + e.getMessage(), e);
        }
    }

    /** A string, or the "default" entry of the list form some tokenizers use. */
    private static Optional<String> fromConfig(JsonNode node) {
        if (node.isString()) {
            return Optional.of(node.asString());
        }
        for (JsonNode named : node.values()) {
            if (named.path("name").asString("").equals("default")) {
                return Optional.of(named.path("template").asString());
            }
        }
        return Optional.empty();
    }
}
