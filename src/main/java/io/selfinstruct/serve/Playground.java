package io.selfinstruct.serve;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.models.LoadedModel;
import io.selfinstruct.models.ModelRuntime;
import java.util.ArrayList;
import java.util.List;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Component;

/**
 * The admin playground's chats: one conversation turn sent to one or two served models, each answered as
 * {@code /v1/chat/completions} would answer it (same names, prompts and decode loop).
 */
@RequiredArgsConstructor
@Component
public class Playground {

    private final ServedModels served;
    private final ModelRuntime runtime;
    private final DecodeLoop decoding;

    /** One model's answer, or the error that stopped it (an unknown model, a prompt too long, a full queue). */
    public record Reply(String model, String text, int promptTokens, int completionTokens, String error) {}

    public List<String> models() {
        return served.list().stream().map(ServedModels.Served::id).toList();
    }

    public List<Reply> chat(List<String> models, String system, String user, int maxTokens, double temperature) {
        List<ChatTemplate.Message> messages = new ArrayList<>();
        if (system != null && !system.isBlank()) {
            messages.add(new ChatTemplate.Message("system", system));
        }
        messages.add(new ChatTemplate.Message("user", user == null ? "" : user));
        List<Reply> replies = new ArrayList<>();
        for (String name : models) {
            try {
                ServedModels.Served model = served.resolve(name);
                record Prepared(long[] prompt, int context, java.util.Set<Long> eos) {}
                Prepared prepared = runtime.withModel(
                        model.base(),
                        model.adapter(),
                        (LoadedModel loaded) -> new Prepared(
                                ServedPrompts.chat(model, loaded, messages, true),
                                loaded.model().config().maxPositionEmbeddings(),
                                loaded.eosTokenIds()));
                if (prepared.prompt().length + maxTokens > prepared.context()) {
                    throw OpenAiException.invalid(
                            "messages",
                            "the prompt (" + prepared.prompt().length
                                    + " tokens) and " + maxTokens + " new tokens pass the model's context of "
                                    + prepared.context());
                }
                GenerationOptions options = GenerationOptions.builder(maxTokens)
                        .temperature(temperature)
                        .eosTokenIds(prepared.eos())
                        .build();
                Generation generation = decoding.submit(model, prepared.prompt(), List.of(options))
                        .get(0)
                        .await(token -> {});
                replies.add(new Reply(
                        name, generation.text(), prepared.prompt().length, generation.tokenIds().length, null));
            } catch (OpenAiException | ModelLoadException | IllegalArgumentException e) {
                replies.add(new Reply(name, null, 0, 0, e.getMessage()));
            }
        }
        return replies;
    }
}
