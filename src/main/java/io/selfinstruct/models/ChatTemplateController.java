package io.selfinstruct.models;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.problem.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lombok.RequiredArgsConstructor;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/models/chat-template}: what a model is fed for a conversation, so a user sees the exact
 * prompt its chat template builds (and training builds the same one).
 */
@RestController
@RequestMapping("/api/models")
@RequiredArgsConstructor
public class ChatTemplateController {

    private final ChatPrompts prompts;

    /**
     * @param messages a list of {"role": string, "content": string}
     * @param addGenerationPrompt as apply_chat_template's add_generation_prompt (default false)
     * @param templateArgs extra template variables (date_string, tools, ...), as apply_chat_template's kwargs
     */
    public record ChatTemplateRequest(
            String baseModel, JsonNode messages, Boolean addGenerationPrompt, Map<String, Object> templateArgs) {

        List<ChatTemplate.Message> conversation() {
            if (messages == null || messages.isNull()) {
                throw new InvalidRequestException("messages is required: a list of {\"role\", \"content\"}");
            }
            if (!messages.isArray()) {
                throw new InvalidRequestException("messages must be a list of {\"role\", \"content\"}");
            }
            List<ChatTemplate.Message> conversation = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                JsonNode message = messages.get(i);
                if (!message.isObject()) {
                    throw new InvalidRequestException("messages[" + i + "] must be an object");
                }
                for (String name : message.propertyNames()) {
                    if (!name.equals("role") && !name.equals("content")) {
                        throw new InvalidRequestException(
                                "messages[" + i + "] has " + name + "; a message holds only role and content");
                    }
                }
                conversation.add(new ChatTemplate.Message(text(message, "role", i), text(message, "content", i)));
            }
            return conversation;
        }

        private static String text(JsonNode message, String field, int i) {
            JsonNode value = message.get(field);
            if (value == null || !value.isString()) {
                throw new InvalidRequestException("messages[" + i + "]." + field + " must be a string");
            }
            return value.asString();
        }
    }

    @PostMapping("/chat-template")
    public ChatPrompts.ChatPrompt chatTemplate(@RequestBody ChatTemplateRequest request) {
        return prompts.render(
                request.baseModel(),
                request.conversation(),
                Boolean.TRUE.equals(request.addGenerationPrompt()),
                request.templateArgs() == null ? Map.of() : request.templateArgs());
    }
}
