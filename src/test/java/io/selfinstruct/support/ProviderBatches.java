package io.selfinstruct.support;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Batch API as the scripted server plays it: {@code POST /v1/files} (multipart, purpose batch),
 * {@code GET /v1/files/{id}/content}, {@code POST /v1/batches}, {@code GET /v1/batches[/{id}]}. Each retrieve moves a
 * batch one status on (validating, in_progress, completed) unless the test holds it in progress; a test can make the
 * next batch expire with part of its lines answered, or fail some lines (they go to the error file). Every upload,
 * create and submitted {@code custom_id} is counted.
 */
public final class ProviderBatches {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ScriptedLlmServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> batches = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final List<String> submittedCustomIds = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger uploads = new AtomicInteger();
    private final AtomicInteger creates = new AtomicInteger();
    private final AtomicInteger answeredLines = new AtomicInteger();
    private final AtomicInteger unansweredLines = new AtomicInteger();
    private volatile boolean holdInProgress;
    private volatile int expireNext;
    private volatile Predicate<String> failLine = customId -> false;

    ProviderBatches(ScriptedLlmServer server) {
        this.server = server;
    }

    /** Keeps every batch in_progress (true) until released (false). */
    public void holdInProgress(boolean hold) {
        this.holdInProgress = hold;
    }

    /** The next {@code count} batches to end expire instead, with only the first half of their lines answered. */
    public void expireNext(int count) {
        this.expireNext = count;
    }

    /** Lines whose custom_id matches get an error (HTTP 500 in the error file) instead of an answer. */
    public void failLines(Predicate<String> customIds) {
        this.failLine = customIds;
    }

    public int uploads() {
        return uploads.get();
    }

    public int creates() {
        return creates.get();
    }

    /** The lines answered with a completion: the LLM calls the provider made. */
    public int answeredLines() {
        return answeredLines.get();
    }

    /** The lines that expired or failed: each should come back once in a later batch. */
    public int unansweredLines() {
        return unansweredLines.get();
    }

    /** Every custom_id of every created batch, in order: a resubmitted one appears twice. */
    public List<String> submittedCustomIds() {
        return List.copyOf(submittedCustomIds);
    }

    /** The status of each created batch, oldest first. */
    public List<String> statuses() {
        return order.stream()
                .map(id -> batches.get(id).get("status").asString())
                .toList();
    }

    void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("POST") && path.equals("/v1/files")) {
            send(exchange, 200, upload(exchange));
        } else if (method.equals("GET") && path.matches("/v1/files/[^/]+/content")) {
            byte[] content = files.get(path.split("/")[3]);
            if (content == null) {
                send(exchange, 404, error("no such file"));
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, content.length);
            exchange.getResponseBody().write(content);
        } else if (method.equals("POST") && path.equals("/v1/batches")) {
            send(exchange, 200, create(JSON.readTree(exchange.getRequestBody().readAllBytes())));
        } else if (method.equals("GET") && path.equals("/v1/batches")) {
            ObjectNode list = JSON.createObjectNode();
            list.put("object", "list");
            ArrayNode data = list.putArray("data");
            for (int i = order.size() - 1; i >= 0; i--) {
                data.add(batches.get(order.get(i)));
            }
            list.put("has_more", false);
            send(exchange, 200, list);
        } else if (method.equals("GET") && path.startsWith("/v1/batches/")) {
            ObjectNode batch = batches.get(path.substring("/v1/batches/".length()));
            if (batch == null) {
                send(exchange, 404, error("no such batch"));
                return;
            }
            send(exchange, 200, advance(batch));
        } else {
            send(exchange, 404, error("not served here: " + method + " " + path));
        }
    }

    private ObjectNode upload(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String boundary = "--"
                + type.substring(type.indexOf("boundary=") + "boundary=".length())
                        .replace("\"", "");
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
        byte[] content = null;
        String filename = "upload.jsonl";
        for (String part : body.split(java.util.regex.Pattern.quote(boundary))) {
            int headerEnd = part.indexOf("\r\n\r\n");
            if (headerEnd < 0 || !part.substring(0, headerEnd).contains("name=\"file\"")) {
                continue;
            }
            var name = java.util.regex.Pattern.compile("filename=\"([^\"]*)\"").matcher(part.substring(0, headerEnd));
            if (name.find()) {
                filename = name.group(1);
            }
            String value = part.substring(headerEnd + 4);
            value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2) : value;
            content = value.getBytes(StandardCharsets.ISO_8859_1);
        }
        if (content == null) {
            throw new IllegalStateException("an upload without a file part");
        }
        uploads.incrementAndGet();
        String id = "file-" + ids.incrementAndGet();
        files.put(id, content);
        ObjectNode file = JSON.createObjectNode();
        file.put("id", id);
        file.put("object", "file");
        file.put("bytes", content.length);
        file.put("created_at", System.currentTimeMillis() / 1000);
        file.put("filename", filename);
        file.put("purpose", "batch");
        file.put("status", "processed");
        return file;
    }

    private ObjectNode create(JsonNode request) {
        creates.incrementAndGet();
        String inputFileId = request.get("input_file_id").asString();
        for (String line : lines(files.get(inputFileId))) {
            submittedCustomIds.add(JSON.readTree(line).get("custom_id").asString());
        }
        String id = "batch_" + ids.incrementAndGet();
        ObjectNode batch = JSON.createObjectNode();
        batch.put("id", id);
        batch.put("object", "batch");
        batch.put("endpoint", request.get("endpoint").asString());
        batch.put("input_file_id", inputFileId);
        batch.put("completion_window", request.get("completion_window").asString());
        batch.put("status", "validating");
        batch.put("created_at", System.currentTimeMillis() / 1000);
        if (request.has("metadata")) {
            batch.set("metadata", request.get("metadata"));
        }
        counts(batch, lines(files.get(inputFileId)).size(), 0, 0);
        batches.put(id, batch);
        order.add(id);
        return batch;
    }

    /** One status further per retrieve; at the end the output and error files are written. */
    private synchronized ObjectNode advance(ObjectNode batch) {
        String status = batch.get("status").asString();
        if (status.equals("validating")) {
            batch.put("status", "in_progress");
            batch.put("in_progress_at", System.currentTimeMillis() / 1000);
        } else if (status.equals("in_progress") && !holdInProgress) {
            boolean expire = expireNext > 0;
            if (expire) {
                expireNext--;
            }
            run(batch, expire);
        }
        return batch;
    }

    private void run(ObjectNode batch, boolean expire) {
        List<String> lines = lines(files.get(batch.get("input_file_id").asString()));
        int answerable = expire ? lines.size() / 2 : lines.size();
        StringBuilder output = new StringBuilder();
        StringBuilder errors = new StringBuilder();
        int completed = 0;
        int failed = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            String customId = line.get("custom_id").asString();
            ObjectNode result = JSON.createObjectNode();
            result.put("id", "batch_req_" + ids.incrementAndGet());
            result.put("custom_id", customId);
            if (i >= answerable) {
                result.putNull("response");
                ObjectNode error = result.putObject("error");
                error.put("code", "batch_expired");
                error.put("message", "This request could not be executed before the completion window expired.");
                errors.append(JSON.writeValueAsString(result)).append('\n');
                unansweredLines.incrementAndGet();
                failed++;
            } else if (failLine.test(customId)) {
                ObjectNode response = result.putObject("response");
                response.put("status_code", 500);
                response.put("request_id", "req_" + i);
                response.set("body", error("scripted line failure"));
                result.putNull("error");
                errors.append(JSON.writeValueAsString(result)).append('\n');
                unansweredLines.incrementAndGet();
                failed++;
            } else {
                ObjectNode response = result.putObject("response");
                response.put("status_code", 200);
                response.put("request_id", "req_" + i);
                response.set("body", server.reply(line.get("url").asString(), line.get("body")));
                result.putNull("error");
                output.append(JSON.writeValueAsString(result)).append('\n');
                answeredLines.incrementAndGet();
                completed++;
            }
        }
        if (!output.isEmpty()) {
            String id = "file-" + ids.incrementAndGet();
            files.put(id, output.toString().getBytes(StandardCharsets.UTF_8));
            batch.put("output_file_id", id);
        }
        if (!errors.isEmpty()) {
            String id = "file-" + ids.incrementAndGet();
            files.put(id, errors.toString().getBytes(StandardCharsets.UTF_8));
            batch.put("error_file_id", id);
        }
        batch.put("status", expire ? "expired" : "completed");
        batch.put(expire ? "expired_at" : "completed_at", System.currentTimeMillis() / 1000);
        counts(batch, lines.size(), completed, failed);
    }

    private static void counts(ObjectNode batch, int total, int completed, int failed) {
        ObjectNode counts = batch.putObject("request_counts");
        counts.put("total", total);
        counts.put("completed", completed);
        counts.put("failed", failed);
    }

    private static List<String> lines(byte[] file) {
        List<String> lines = new ArrayList<>();
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static ObjectNode error(String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", "invalid_request_error");
        return body;
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
