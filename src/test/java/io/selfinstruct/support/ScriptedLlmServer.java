package io.selfinstruct.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local HTTP server that speaks the OpenAI wire format ({@code /v1/chat/completions} and {@code /v1/completions})
 * and answers from a script: a function from the prompt text to the completion text and finish reason. The
 * service's real openai-java client talks to it over HTTP.
 */
public final class ScriptedLlmServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Function<String, Answer> script;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long latencyMillis;
    private volatile int failureStatus;
    private volatile ResponseFormats responseFormats = ResponseFormats.IGNORE;
    private final AtomicInteger refusedFormats = new AtomicInteger();
    private final java.util.Set<String> authorizations = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What the server does with a request's {@code response_format}. */
    public enum ResponseFormats {
        /** Answers as if it were not there (the script's text), as a server without structured outputs may. */
        IGNORE,
        /** Answers a JSON object of the schema (the script's {@link StructuredScript} answer), as OpenAI and vLLM do. */
        HONOUR,
        /** 400, as a server that does not know the parameter. */
        REFUSE
    }

    private final ProviderBatches providerBatches = new ProviderBatches(this);

    private ScriptedLlmServer(Function<String, Answer> script, long latencyMillis) throws IOException {
        this.script = script;
        this.latencyMillis = latencyMillis;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public static ScriptedLlmServer start(Function<String, Answer> script, long latencyMillis) {
        try {
            return new ScriptedLlmServer(script, latencyMillis);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int requests() {
        return requests.get();
    }

    /** Every distinct Authorization header the chat and completions requests carried ("" for none). */
    public java.util.Set<String> authorizations() {
        return java.util.Set.copyOf(authorizations);
    }

    public void latencyMillis(long millis) {
        this.latencyMillis = millis;
    }

    public void responseFormats(ResponseFormats mode) {
        this.responseFormats = mode;
    }

    /** Requests answered 400 for their response_format. */
    public int refusedFormats() {
        return refusedFormats.get();
    }

    /** Answers every request with this HTTP status and an OpenAI-style error body (0: answer normally). */
    public void failWith(int status) {
        this.failureStatus = status;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/v1/files") || path.startsWith("/v1/batches")) {
                providerBatches.handle(exchange);
                return;
            }
            requests.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "" : authorization);
            int failure = failureStatus;
            if (failure != 0) {
                byte[] bytes = ("{\"error\":{\"message\":\"scripted failure " + failure + "\",\"type\":\"error\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(failure, bytes.length);
                exchange.getResponseBody().write(bytes);
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            if (body.has("response_format") && responseFormats == ResponseFormats.REFUSE) {
                refusedFormats.incrementAndGet();
                byte[] bytes = ("{\"error\":{\"message\":\"Unrecognized request argument supplied: response_format\","
                                + "\"type\":\"invalid_request_error\",\"param\":\"response_format\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, bytes.length);
                exchange.getResponseBody().write(bytes);
                return;
            }
            ObjectNode response = reply(path, body);
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
            byte[] bytes = JSON.writeValueAsBytes(response);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            byte[] bytes = ("{\"error\":{\"message\":\"" + e.getClass().getSimpleName() + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** The reply to one chat or completions request body, online or as a line of a provider batch. */
    ObjectNode reply(String path, JsonNode body) {
        boolean chat = path.endsWith("/chat/completions");
        String prompt;
        if (chat) {
            JsonNode messages = body.get("messages");
            prompt = messages.get(messages.size() - 1).get("content").asString();
        } else {
            JsonNode p = body.get("prompt");
            prompt = p.isArray() ? p.get(0).asString() : p.asString();
        }
        String schema =
                body.path("response_format").path("json_schema").path("name").asString(null);
        Answer answer =
                schema != null && responseFormats == ResponseFormats.HONOUR && script instanceof StructuredScript s
                        ? s.structured(prompt, schema)
                        : script.apply(prompt);
        ObjectNode response = JSON.createObjectNode();
        response.put("id", "cmpl-" + requests.get());
        response.put("object", chat ? "chat.completion" : "text_completion");
        response.put("created", System.currentTimeMillis() / 1000);
        response.put("model", body.path("model").asString("scripted"));
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", answer.text());
        } else {
            choice.put("text", answer.text());
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", answer.finishReason());
        ObjectNode usage = response.putObject("usage");
        int promptTokens = Math.max(1, prompt.length() / 4);
        int completionTokens = Math.max(1, answer.text().length() / 4);
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return response;
    }

    /** The server's {@code /v1/files} and {@code /v1/batches}: what a test scripts and counts of the Batch API. */
    public ProviderBatches batches() {
        return providerBatches;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    public record Answer(String text, String finishReason) {
        public static Answer stop(String text) {
            return new Answer(text, "stop");
        }
    }

    /** Splits "a b c" into words, for scripts. */
    public static List<String> words(String text) {
        return List.of(text.strip().split("\\s+"));
    }
}
