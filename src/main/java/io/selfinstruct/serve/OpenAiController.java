package io.selfinstruct.serve;

import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.TokenLogprobs;
import io.selfinstruct.models.LoadedModel;
import io.selfinstruct.models.ModelRuntime;
import io.selfinstruct.models.ModelsProperties;
import io.selfinstruct.problem.InvalidRequestException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import lombok.RequiredArgsConstructor;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's models behind OpenAI's API: {@code GET /v1/models}, {@code POST /v1/chat/completions} and
 * {@code POST /v1/completions}, plain or streamed as server-sent events, so OpenAI's client libraries (and this
 * service's own batches) can use a base or tuned model as they use any OpenAI-compatible server.
 */
@RequiredArgsConstructor
@RestController
class OpenAiController {

    private static final MediaType EVENT_STREAM = MediaType.parseMediaType("text/event-stream;charset=UTF-8");

    private final ServedModels served;
    private final ModelRuntime runtime;
    private final ModelsProperties models;
    private final DecodeLoop decoding;
    private final JsonMapper json;

    @GetMapping("/v1/models")
    Map<String, Object> models() {
        List<Map<String, Object>> data = new ArrayList<>();
        for (ServedModels.Served model : served.list()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", model.id());
            entry.put("object", "model");
            entry.put("created", model.created() == null ? 0 : model.created().getEpochSecond());
            entry.put("owned_by", "self-instruct-service");
            data.add(entry);
        }
        return Map.of("object", "list", "data", data);
    }

    @PostMapping("/v1/chat/completions")
    ResponseEntity<StreamingResponseBody> chat(@RequestBody JsonNode body) {
        return complete(CompletionRequest.chat(body), true);
    }

    @PostMapping("/v1/completions")
    ResponseEntity<StreamingResponseBody> completions(@RequestBody JsonNode body) {
        return complete(CompletionRequest.text(body), false);
    }

    /**
     * vLLM's {@code POST /tokenize}: {@code {"model", "prompt", "add_special_tokens" (true)}} or {@code {"model",
     * "messages", "add_generation_prompt" (true)}} (the prompt a chat request would be fed) ->
     * {@code {"count", "max_model_len", "tokens"}}.
     */
    @PostMapping("/tokenize")
    Map<String, Object> tokenize(@RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "the request body must be a JSON object");
        }
        boolean chat = body.has("messages");
        CompletionRequest request = chat ? CompletionRequest.chat(body) : CompletionRequest.text(body);
        ServedModels.Served model = served.resolve(request.model());
        boolean special = body.path("add_special_tokens").asBoolean(true);
        boolean generationPrompt = body.path("add_generation_prompt").asBoolean(true);
        return loading(() -> runtime.withModel(model.base(), model.adapter(), loaded -> {
            long[] ids = chat
                    ? ServedPrompts.chat(model, loaded, request.messages(), generationPrompt)
                    : special
                            ? loaded.tokenizer().encode(request.prompt())
                            : loaded.tokenizer().encodeWithoutSpecialTokens(request.prompt());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("count", ids.length);
            answer.put("max_model_len", loaded.model().config().maxPositionEmbeddings());
            answer.put("tokens", java.util.Arrays.stream(ids).boxed().toList());
            return answer;
        }));
    }

    /** vLLM's {@code POST /detokenize}: {@code {"model", "tokens"}} -> {@code {"prompt"}} (special tokens skipped). */
    @PostMapping("/detokenize")
    Map<String, Object> detokenize(@RequestBody JsonNode body) {
        if (body == null || !body.isObject() || !body.path("tokens").isArray()) {
            throw OpenAiException.invalid("tokens", "tokens must be a list of token ids");
        }
        ServedModels.Served model = served.resolve(body.path("model").asString(null));
        return loading(() -> runtime.withModel(model.base(), model.adapter(), loaded -> {
            int vocab = loaded.model().config().vocabSize();
            long[] ids = new long[body.path("tokens").size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = body.path("tokens").get(i);
                if (!id.isIntegralNumber() || id.asLong() < 0 || id.asLong() >= vocab) {
                    throw OpenAiException.invalid(
                            "tokens", "tokens[" + i + "] is not a token id of this model (vocabulary " + vocab + ")");
                }
                ids[i] = id.asLong();
            }
            return Map.<String, Object>of("prompt", loaded.tokenizer().decode(ids));
        }));
    }

    /**
     * Both answers go out as a {@link StreamingResponseBody}: Spring MVC picks its return value handler by the
     * declared type, so one method cannot answer JSON or a stream of events otherwise.
     */
    private ResponseEntity<StreamingResponseBody> complete(CompletionRequest request, boolean chat) {
        ServedModels.Served model = served.resolve(request.model());
        long[] prompt = loading(() -> runtime.withModel(model.base(), model.adapter(), loaded -> {
            long[] ids = chat
                    ? ServedPrompts.chat(model, loaded, request.messages(), true)
                    : loaded.tokenizer().encode(request.prompt());
            if (ids.length == 0) {
                throw OpenAiException.invalid(chat ? "messages" : "prompt", "the prompt has no tokens");
            }
            return ids;
        }));
        int context = loading(() -> runtime.withModel(
                model.base(), model.adapter(), loaded -> loaded.model().config().maxPositionEmbeddings()));
        int maxTokens = maxTokens(request, prompt.length, context, chat);
        String id =
                (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        java.util.Set<Long> eos = eos(model);
        List<GenerationOptions> options = java.util.stream.IntStream.range(0, request.n())
                .mapToObj(i -> request.options(maxTokens, i, eos))
                .toList();
        List<DecodeLoop.Pending> pending = decoding.submit(model, prompt, options);
        if (request.stream()) {
            StreamingResponseBody stream = out -> {
                try {
                    stream(out, request, model, prompt, pending, chat, id, created);
                } finally {
                    pending.forEach(DecodeLoop.Pending::cancel); // a client that went away frees its slots
                }
            };
            return ResponseEntity.ok().contentType(EVENT_STREAM).body(stream);
        }
        List<Map<String, Object>> choices = new ArrayList<>();
        int completionTokens = 0;
        for (int i = 0; i < pending.size(); i++) {
            List<TokenLogprobs> steps = new ArrayList<>();
            Generation generation = pending.get(i).awaitEvents(event -> {
                if (event.logprobs() != null) {
                    steps.add(event.logprobs());
                }
            });
            completionTokens += generation.tokenIds().length;
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", i);
            if (chat) {
                choice.put("message", Map.of("role", "assistant", "content", generation.text()));
            } else {
                choice.put("text", generation.text());
            }
            choice.put("logprobs", logprobs(request, model, chat, new ChoiceLogprobs(decoder(model)), steps));
            choice.put("finish_reason", finishReason(generation));
            choices.add(choice);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("id", id);
        response.put("object", chat ? "chat.completion" : "text_completion");
        response.put("created", created);
        response.put("model", model.id());
        response.put("choices", choices);
        response.put("usage", usage(prompt.length, completionTokens));
        byte[] bytes = json.writeValueAsBytes(response);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(out -> out.write(bytes));
    }

    /**
     * Chunks as OpenAI sends them: for chat, a first delta with the role, then content deltas, then an empty delta
     * with the finish reason; for completions, text deltas and a last one with the finish reason; then
     * {@code data: [DONE]}. Text is held back while it could still turn into a stop string, and while its last
     * token ends inside a UTF-8 character.
     */
    private void stream(
            OutputStream out,
            CompletionRequest request,
            ServedModels.Served model,
            long[] prompt,
            List<DecodeLoop.Pending> pending,
            boolean chat,
            String id,
            long created)
            throws IOException {
        int completionTokens = 0;
        int holdBack = request.stop().stream().mapToInt(String::length).max().orElse(1) - 1;
        for (int i = 0; i < pending.size(); i++) {
            int index = i;
            if (chat) {
                send(
                        out,
                        chunk(
                                id,
                                created,
                                model.id(),
                                true,
                                index,
                                Map.of("role", "assistant", "content", ""),
                                null,
                                null));
            }
            StringBuilder sent = new StringBuilder();
            List<Long> tokens = new ArrayList<>();
            List<TokenLogprobs> unsent = new ArrayList<>();
            ChoiceLogprobs choiceLogprobs = new ChoiceLogprobs(decoder(model));
            Generation generation = pending.get(i).awaitEvents(event -> {
                long token = event.token();
                if (event.logprobs() != null) {
                    unsent.add(event.logprobs());
                }
                tokens.add(token);
                long[] ids = tokens.stream().mapToLong(Long::longValue).toArray();
                String text = runtime.withModel(
                        model.base(), model.adapter(), l -> l.tokenizer().decode(ids));
                int safe = text.length() - holdBack;
                while (safe > 0 && text.charAt(safe - 1) == '\uFFFD') {
                    safe--;
                }
                if (safe > sent.length() && text.startsWith(sent.toString())) {
                    String delta = text.substring(sent.length(), safe);
                    sent.append(delta);
                    Object logprobs = logprobs(request, model, chat, choiceLogprobs, unsent);
                    unsent.clear();
                    sendUnchecked(out, chunk(id, created, model.id(), chat, index, delta(chat, delta), logprobs, null));
                }
            });
            completionTokens += generation.tokenIds().length;
            String rest = generation.text().startsWith(sent.toString())
                    ? generation.text().substring(sent.length())
                    : "";
            if (!rest.isEmpty()) {
                Object logprobs = logprobs(request, model, chat, choiceLogprobs, unsent);
                unsent.clear();
                send(out, chunk(id, created, model.id(), chat, index, delta(chat, rest), logprobs, null));
            }
            send(
                    out,
                    chunk(
                            id,
                            created,
                            model.id(),
                            chat,
                            index,
                            chat ? Map.of() : Map.of("text", ""),
                            unsent.isEmpty() ? null : logprobs(request, model, chat, choiceLogprobs, unsent),
                            finishReason(generation)));
        }
        if (request.includeUsage()) {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("id", id);
            last.put("object", chat ? "chat.completion.chunk" : "text_completion");
            last.put("created", created);
            last.put("model", model.id());
            last.put("choices", List.of());
            last.put("usage", usage(prompt.length, completionTokens));
            send(out, last);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The logprobs of a choice or chunk for these steps, or null where the request did not ask for them. */
    private static Object logprobs(
            CompletionRequest request,
            ServedModels.Served model,
            boolean chat,
            ChoiceLogprobs choice,
            List<TokenLogprobs> steps) {
        if (request.topLogprobs() == null) {
            return null;
        }
        return chat ? choice.chat(steps) : choice.text(steps);
    }

    private java.util.function.Function<long[], String> decoder(ServedModels.Served model) {
        return ids -> runtime.withModel(
                model.base(), model.adapter(), l -> l.tokenizer().decode(ids));
    }

    private static Map<String, Object> delta(boolean chat, String text) {
        return chat ? Map.of("content", text) : Map.of("text", text);
    }

    private static Map<String, Object> chunk(
            String id,
            long created,
            String model,
            boolean chat,
            int index,
            Map<String, Object> delta,
            Object logprobs,
            String finish) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", index);
        if (chat) {
            choice.put("delta", delta);
        } else {
            choice.put("text", delta.get("text"));
        }
        choice.put("logprobs", logprobs);
        choice.put("finish_reason", finish);
        Map<String, Object> chunk = new LinkedHashMap<>();
        chunk.put("id", id);
        chunk.put("object", chat ? "chat.completion.chunk" : "text_completion");
        chunk.put("created", created);
        chunk.put("model", model);
        chunk.put("choices", List.of(choice));
        return chunk;
    }

    private void send(OutputStream out, Map<String, Object> chunk) throws IOException {
        out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void sendUnchecked(OutputStream out, Map<String, Object> chunk) {
        try {
            send(out, chunk);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the client went away", e);
        }
    }

    private int maxTokens(CompletionRequest request, int promptTokens, int context, boolean chat) {
        int room = context - promptTokens;
        Integer asked = request.maxTokens();
        if (asked != null && asked < 1) {
            throw OpenAiException.invalid("max_tokens", "max_tokens must be at least 1");
        }
        if (room < 1 || (asked != null && asked > room)) {
            throw OpenAiException.invalid(
                    chat ? "messages" : "prompt",
                    "This model's maximum context length is " + context + " tokens. However, you requested "
                            + (promptTokens + (asked == null ? 1 : asked)) + " tokens (" + promptTokens
                            + " in the prompt, " + (asked == null ? 1 : asked) + " in the completion).");
        }
        int limit = Math.min(room, models.maxNewTokens());
        if (asked != null && asked > models.maxNewTokens()) {
            throw OpenAiException.invalid(
                    "max_tokens",
                    "max_tokens must be at most " + models.maxNewTokens() + " (selfinstruct.models.max-new-tokens)");
        }
        return asked != null ? asked : chat ? limit : Math.min(16, limit);
    }

    private java.util.Set<Long> eos(ServedModels.Served model) {
        return runtime.withModel(model.base(), model.adapter(), LoadedModel::eosTokenIds);
    }

    private static String finishReason(Generation generation) {
        return generation.finishReason() == Generation.FinishReason.LENGTH ? "length" : "stop";
    }

    private static Map<String, Object> usage(int prompt, int completion) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    private static <T> T loading(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (ModelLoadException e) {
            throw OpenAiException.invalid("model", e.getMessage());
        }
    }

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<Map<String, Object>> openAi(OpenAiException e) {
        var response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            response.header(org.springframework.http.HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        return response.body(e.body());
    }

    @ExceptionHandler({InvalidRequestException.class, IllegalArgumentException.class})
    ResponseEntity<Map<String, Object>> invalid(RuntimeException e) {
        return openAi(OpenAiException.invalid(null, e.getMessage()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return openAi(OpenAiException.invalid(null, "the request body is not valid JSON"));
    }
}
