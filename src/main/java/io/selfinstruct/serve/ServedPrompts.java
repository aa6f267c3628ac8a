package io.selfinstruct.serve;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.ChatTemplateException;
import io.selfinstruct.models.LoadedModel;
import java.util.List;

/** What a served model is fed for a conversation. */
final class ServedPrompts {

    private ServedPrompts() {}

    /** The chat prompt: a base model's (or chat-trained job's) chat template, or a job's Alpaca prompt. */
    static long[] chat(
            ServedModels.Served model,
            LoadedModel loaded,
            List<ChatTemplate.Message> messages,
            boolean addGenerationPrompt) {
        if (model.format() != null && model.format() == io.selfinstruct.finetune.data.PromptFormat.ALPACA) {
            // an Alpaca-trained job sees its training prompt: the last user turn as the instruction
            String instruction = messages.stream()
                    .filter(m -> "user".equals(m.role()))
                    .reduce((a, b) -> b)
                    .map(ChatTemplate.Message::content)
                    .orElseThrow(
                            () -> OpenAiException.invalid("messages", "an Alpaca-trained model needs a user message"));
            return model.format().promptIds(loaded.tokenizer(), instruction, "");
        }
        ChatTemplate template = loaded.tokenizer()
                .chatTemplate()
                .orElseThrow(() -> OpenAiException.invalid(
                        "messages", "model " + model.id() + " has no chat template: use /v1/completions"));
        try {
            return loaded.tokenizer().encodeWithoutSpecialTokens(template.render(messages, addGenerationPrompt));
        } catch (ChatTemplateException e) {
            throw OpenAiException.invalid("messages", e.getMessage());
        }
    }
}
