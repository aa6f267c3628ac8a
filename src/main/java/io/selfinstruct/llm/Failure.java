package io.selfinstruct.llm;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One failed HTTP attempt, classified from what openai-java threw.
 *
 * @param status     the HTTP status, 0 when no response came
 * @param detail     the server's own error message, or the exception's
 * @param retryAfter how long the server asked us to wait, or null
 */
record Failure(FailureKind kind, int status, String detail, Duration retryAfter) {

    static Failure of(Throwable error) {
        if (error instanceof MalformedReply malformed) {
            return new Failure(FailureKind.MALFORMED, 0, malformed.getMessage(), null);
        }
        if (error instanceof OpenAIServiceException service) {
            int status = service.statusCode();
            return new Failure(kindOf(status), status, serverMessage(service), retryAfter(service.headers()));
        }
        if (error instanceof OpenAIIoException io) {
            boolean timedOut = causes(io, InterruptedIOException.class);
            return new Failure(timedOut ? FailureKind.TIMEOUT : FailureKind.CONNECTION, 0, rootMessage(io), null);
        }
        if (error instanceof OpenAIInvalidDataException invalid) {
            return new Failure(FailureKind.MALFORMED, 0, rootMessage(invalid), null);
        }
        if (error instanceof OpenAIException other) {
            // openai-java's remaining errors (retryable marker, unexpected shapes) are transient or about the reply
            return new Failure(FailureKind.MALFORMED, 0, rootMessage(other), null);
        }
        throw new IllegalArgumentException("not an LLM failure", error);
    }

    private static FailureKind kindOf(int status) {
        return switch (status) {
            case 401 -> FailureKind.UNAUTHORIZED;
            case 403 -> FailureKind.FORBIDDEN;
            case 404 -> FailureKind.NOT_FOUND;
            case 408 -> FailureKind.TIMEOUT;
            case 429 -> FailureKind.RATE_LIMITED;
            // 409: OpenAI's "lock" conflicts clear on retry, as its own SDKs assume
            case 409 -> FailureKind.SERVER_ERROR;
            default -> status >= 500 ? FailureKind.SERVER_ERROR : FailureKind.BAD_REQUEST;
        };
    }

    /** The message a person reads when the batch ends on this failure. */
    String fatalMessage(LlmSettings settings) {
        String url = settings.baseUrl();
        String why = " (HTTP " + status + (detail.isBlank() ? "" : ": " + detail) + ")";
        return switch (kind) {
            case UNAUTHORIZED ->
                "the API key was rejected by " + url + why + "; set OPENAI_API_KEY or selfinstruct.llm.api-key";
            case FORBIDDEN -> url + " refused access to model '" + settings.model() + "'" + why;
            case NOT_FOUND ->
                url + " has no model '" + settings.model() + "' or no "
                        + settings.api().wireName() + " endpoint" + why;
            default -> url + " rejected the request as invalid" + why;
        };
    }

    /** The OpenAI error shape is {"error": {"message": ...}}; openai-java may hand over either level. */
    private static String serverMessage(OpenAIServiceException e) {
        JsonValue body = e.body();
        Map<String, JsonValue> object = objectOf(body);
        if (object != null) {
            JsonValue inner = object.get("error");
            if (inner != null && objectOf(inner) != null) {
                object = objectOf(inner);
            } else if (inner != null && stringOf(inner) != null) {
                return stringOf(inner);
            }
            JsonValue message = object.get("message");
            if (message != null && stringOf(message) != null) {
                return stringOf(message);
            }
        }
        String text = stringOf(body);
        return text == null ? "" : text;
    }

    // JsonValue extends a raw JsonField, so its accessors lose their generic types
    @SuppressWarnings("unchecked")
    private static Map<String, JsonValue> objectOf(JsonValue value) {
        Optional<?> object = value.asObject();
        return (Map<String, JsonValue>) object.orElse(null);
    }

    private static String stringOf(JsonValue value) {
        Optional<?> text = value.asString();
        return (String) text.orElse(null);
    }

    /** Retry-After in seconds or as an HTTP date, or OpenAI's millisecond variant. */
    static Duration retryAfter(Headers headers) {
        List<String> millis = headers.values("retry-after-ms");
        if (!millis.isEmpty()) {
            try {
                return Duration.ofMillis((long) Double.parseDouble(millis.get(0).trim()));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        List<String> values = headers.values("retry-after");
        if (values.isEmpty()) {
            return null;
        }
        String value = values.get(0).trim();
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(
                        ZonedDateTime.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static boolean causes(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == error ? message : error.getMessage() + ": " + message;
    }

    /** A reply that parsed but is unusable (no choices). */
    static final class MalformedReply extends RuntimeException {
        MalformedReply(String message) {
            super(message);
        }
    }
}
