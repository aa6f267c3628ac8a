package io.selfinstruct.models;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.ChatTemplateException;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.problem.InvalidRequestException;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The prompt a model is fed for a conversation: its own chat template rendered as transformers'
 * {@code apply_chat_template} renders it (the renderer fine-tuning's chat format uses too), and that text's token
 * ids without added special tokens, as {@code apply_chat_template(tokenize=True)} gives them. Keeps the last
 * model's tokenizer, as {@link ModelRuntime} keeps the last model.
 */
@Component
public class ChatPrompts {

    public record ChatPrompt(String prompt, List<Long> inputIds) {}

    private final ModelRoots roots;
    private Path tokenizerDirectory;
    private ModelTokenizer tokenizer;

    public ChatPrompts(ModelsProperties properties) {
        this.roots = new ModelRoots(properties.roots());
    }

    /**
     * @throws InvalidRequestException for a directory outside the roots or without a tokenizer or chat template,
     *     and with the template's own message when it refuses the conversation
     */
    public synchronized ChatPrompt render(
            String baseModel,
            List<ChatTemplate.Message> messages,
            boolean addGenerationPrompt,
            Map<String, Object> templateArgs) {
        Path base = roots.resolve(baseModel, "baseModel");
        ModelTokenizer tokenizer = tokenizer(base);
        ChatTemplate template = tokenizer
                .chatTemplate()
                .orElseThrow(() -> new InvalidRequestException("baseModel " + baseModel + " has no chat template"
                        + " (chat_template.jinja, chat_template.json or tokenizer_config.json's chat_template)"));
        try {
            String prompt = template.render(messages, addGenerationPrompt, templateArgs);
            return new ChatPrompt(
                    prompt,
                    Arrays.stream(tokenizer.encodeWithoutSpecialTokens(prompt))
                            .boxed()
                            .toList());
        } catch (ChatTemplateException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    private ModelTokenizer tokenizer(Path base) {
        if (!base.equals(tokenizerDirectory)) {
            close();
            try {
                tokenizer = ModelTokenizer.load(base);
            } catch (ModelLoadException e) {
                throw new InvalidRequestException(e.getMessage());
            }
            tokenizerDirectory = base;
        }
        return tokenizer;
    }

    @PreDestroy
    public synchronized void close() {
        if (tokenizer != null) {
            tokenizer.close();
            tokenizer = null;
            tokenizerDirectory = null;
        }
    }
}
