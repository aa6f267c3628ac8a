package io.selfinstruct.llm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonField;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.Timeout;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import io.selfinstruct.llm.LlmResult.LlmChoice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One HTTP attempt against an OpenAI-compatible server through openai-java, in chat or legacy completions
 * mode. The client's own retries are off: {@link LlmSession} owns retrying, so attempts are counted once.
 */
final class OpenAiEndpoint implements AutoCloseable {

    private static final long STOP_CHECK_MILLIS = 50;

    private final OpenAIClient client;
    private final BooleanSupplier stopped;
    private final LlmApi api;
    private final String model;
    private final String systemPrompt;

    /** @param stopped when it turns true, a call in flight is cancelled and {@link Aborted} thrown */
    OpenAiEndpoint(LlmSettings settings, String apiKey, String systemPrompt, BooleanSupplier stopped) {
        this.stopped = stopped;
        this.api = settings.api();
        this.model = settings.model();
        this.systemPrompt = systemPrompt;
        this.client = OpenAIOkHttpClient.builder()
                .baseUrl(settings.baseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Timeout.builder()
                        .connect(settings.connectTimeout())
                        .read(settings.requestTimeout())
                        .write(settings.requestTimeout())
                        .request(settings.requestTimeout())
                        .build())
                // keep a warm connection per slot: reconnecting per request costs latency under concurrency
                .maxIdleConnections(Math.max(5, settings.concurrency()))
                .keepAliveDuration(Duration.ofMinutes(5))
                .build();
    }

    /** The prompt is sent as it is in completions mode; chat wraps it after the system instruction. */
    Reply complete(LlmRequest request) {
        if (api == LlmApi.CHAT) {
            return reply(await(client.async().chat().completions().create(chatParams(request))));
        }
        return reply(await(client.async().completions().create(completionParams(request))));
    }

    /** The request's body as this endpoint sends it: a line of a Batch API input file carries exactly this. */
    Object body(LlmRequest request) {
        return api == LlmApi.CHAT
                ? chatParams(request)._body()
                : completionParams(request)._body();
    }

    /** The path of the endpoint, as a Batch API input line names it. */
    String path() {
        return api == LlmApi.CHAT ? "/v1/chat/completions" : "/v1/completions";
    }

    /** What a Batch API output line's response body (the same JSON as an online reply) holds. */
    Reply replyOf(String bodyJson) {
        try {
            return api == LlmApi.CHAT
                    ? reply(ObjectMappers.jsonMapper().readValue(bodyJson, ChatCompletion.class))
                    : reply(ObjectMappers.jsonMapper().readValue(bodyJson, Completion.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Failure.MalformedReply("the reply is not valid JSON: " + e.getOriginalMessage());
        }
    }

    OpenAIClient client() {
        return client;
    }

    private ChatCompletionCreateParams chatParams(LlmRequest request) {
        Sampling s = request.sampling();
        String prompt = request.prompt();
        ChatCompletionCreateParams.Builder params =
                ChatCompletionCreateParams.builder().model(model);
        if (!systemPrompt.isEmpty()) {
            params.addSystemMessage(systemPrompt);
        }
        params.addUserMessage(prompt);
        Optional.ofNullable(s.temperature()).ifPresent(params::temperature);
        Optional.ofNullable(s.topP()).ifPresent(params::topP);
        // max_tokens, not max_completion_tokens: vLLM, Ollama and llama.cpp servers all read it
        Optional.ofNullable(s.maxTokens()).ifPresent(v -> params.maxTokens(v.longValue()));
        Optional.ofNullable(s.presencePenalty()).ifPresent(params::presencePenalty);
        Optional.ofNullable(s.frequencyPenalty()).ifPresent(params::frequencyPenalty);
        Optional.ofNullable(s.n()).ifPresent(v -> params.n(v.longValue()));
        if (!s.stop().isEmpty()) {
            params.stopOfStrings(s.stop());
        }
        if (!s.logitBias().isEmpty()) {
            ChatCompletionCreateParams.LogitBias.Builder bias = ChatCompletionCreateParams.LogitBias.builder();
            s.logitBias().forEach((token, value) -> bias.putAdditionalProperty(token, JsonValue.from(value)));
            params.logitBias(bias.build());
        }
        if (request.responseFormat() != null) {
            params.responseFormat(jsonSchema(request.responseFormat()));
        }
        return params.build();
    }

    private static ResponseFormatJsonSchema jsonSchema(ResponseFormat format) {
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema =
                ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        try {
            Map<String, Object> fields = ObjectMappers.jsonMapper()
                    .readValue(format.schemaJson(), new TypeReference<Map<String, Object>>() {});
            fields.forEach((name, value) -> schema.putAdditionalProperty(name, JsonValue.from(value)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the schema of " + format.name() + " is not JSON", e);
        }
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                        .name(format.name())
                        .strict(true)
                        .schema(schema.build())
                        .build())
                .build();
    }

    private static Reply reply(ChatCompletion reply) {
        List<LlmChoice> choices = new ArrayList<>();
        for (ChatCompletion.Choice choice : choicesOf(reply._choices())) {
            String text = choice._message()
                    .asKnown()
                    .flatMap(ChatCompletionMessage::content)
                    .orElse("");
            choices.add(new LlmChoice(text, finishReason(choice._finishReason())));
        }
        return new Reply(choices, reply._usage().asKnown());
    }

    private CompletionCreateParams completionParams(LlmRequest request) {
        Sampling s = request.sampling();
        String prompt = request.prompt();
        CompletionCreateParams.Builder params =
                CompletionCreateParams.builder().model(model).prompt(prompt);
        Optional.ofNullable(s.temperature()).ifPresent(params::temperature);
        Optional.ofNullable(s.topP()).ifPresent(params::topP);
        Optional.ofNullable(s.maxTokens()).ifPresent(v -> params.maxTokens(v.longValue()));
        Optional.ofNullable(s.presencePenalty()).ifPresent(params::presencePenalty);
        Optional.ofNullable(s.frequencyPenalty()).ifPresent(params::frequencyPenalty);
        Optional.ofNullable(s.n()).ifPresent(v -> params.n(v.longValue()));
        if (!s.stop().isEmpty()) {
            params.stopOfStrings(s.stop());
        }
        if (!s.logitBias().isEmpty()) {
            CompletionCreateParams.LogitBias.Builder bias = CompletionCreateParams.LogitBias.builder();
            s.logitBias().forEach((token, value) -> bias.putAdditionalProperty(token, JsonValue.from(value)));
            params.logitBias(bias.build());
        }
        return params.build();
    }

    private static Reply reply(Completion reply) {
        List<LlmChoice> choices = new ArrayList<>();
        for (CompletionChoice choice : choicesOf(reply._choices())) {
            String text = choice._text().asKnown().orElse("");
            choices.add(new LlmChoice(text, finishReason(choice._finishReason())));
        }
        return new Reply(choices, reply._usage().asKnown());
    }

    /**
     * Waits for a call made through the async client, so that a stop cancels it there instead of interrupting the
     * calling thread (an interrupt could land in JDBC or file I/O). Failures surface as the sync client's would.
     */
    private <T> T await(CompletableFuture<T> call) {
        try {
            while (true) {
                try {
                    return call.get(STOP_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (stopped.getAsBoolean()) {
                        call.cancel(true);
                        throw new Aborted();
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable cause =
                    e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new Aborted();
        }
    }

    /** The call was abandoned because the session stopped. */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("the call was cancelled because the batch stopped", null, false, false);
        }
    }

    private static <T> List<T> choicesOf(JsonField<List<T>> field) {
        List<T> choices = field.asKnown().orElse(List.of());
        if (choices.isEmpty()) {
            throw new Failure.MalformedReply("the reply has no choices");
        }
        return choices;
    }

    /** Servers send values beyond OpenAI's enum (vLLM's "abort") or null; keep whatever string came. */
    private static String finishReason(JsonField<?> field) {
        return field.asKnown().map(String::valueOf).or(field::asString).orElse(null);
    }

    @Override
    public void close() {
        client.close();
    }

    /** What one successful attempt returned; usage is empty when the server did not report it. */
    record Reply(List<LlmChoice> choices, Optional<CompletionUsage> usage) {}
}
