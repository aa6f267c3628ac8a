package io.selfinstruct.serve;

import org.springframework.http.HttpStatus;

/** An error answered in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}. */
class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private Integer retryAfterSeconds;

    OpenAiException(HttpStatus status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, null, message);
    }

    static OpenAiException modelNotFound(String model) {
        return new OpenAiException(
                HttpStatus.NOT_FOUND,
                "invalid_request_error",
                "model",
                "model_not_found",
                "The model `" + model + "` does not exist: GET /v1/models lists the served models.");
    }

    /** A 429: the queue is full; the client should come back after {@code seconds}. */
    static OpenAiException busy(int queued, int seconds) {
        OpenAiException e = new OpenAiException(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                null,
                "queue_full",
                "The server's queue is full (" + queued + " sequences waiting; selfinstruct.serve.max-queued):"
                        + " retry after " + seconds + " s.");
        e.retryAfterSeconds = seconds;
        return e;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    HttpStatus status() {
        return status;
    }

    java.util.Map<String, Object> body() {
        java.util.Map<String, Object> error = new java.util.LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return java.util.Map.of("error", error);
    }
}
