package io.selfinstruct.llm;

/** Why a call gave no result. Messages are for people and never contain the API key. */
public abstract sealed class LlmException extends RuntimeException {

    /** The kind of the (last) failed attempt; null when no attempt was made. */
    private final FailureKind kind;

    LlmException(FailureKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The kind of the failure: the refusal of a fatal call, the last attempt of exhausted retries. */
    public FailureKind kind() {
        return kind;
    }

    /**
     * The server refused the batch's configuration (key, model, endpoint, request shape): retrying cannot help
     * and the batch must end with this message. Once raised, every later call of the session raises it too.
     */
    public static final class Fatal extends LlmException {
        Fatal(FailureKind kind, String message, Throwable cause) {
            super(kind, message, cause);
        }
    }

    /** The call was not made because it could take the batch's spend past {@code maxCostUsd}. */
    public static final class BudgetReached extends LlmException {
        BudgetReached(String message) {
            super(null, message, null);
        }
    }

    /** Every allowed attempt failed with a transient error; the message names the last one. */
    public static final class RetriesExhausted extends LlmException {
        RetriesExhausted(FailureKind lastKind, String message, Throwable cause) {
            super(lastKind, message, cause);
        }
    }

    /**
     * The server refused a request with a {@code response_format} (HTTP 400): it does not do structured outputs.
     * Unlike {@link Fatal}, the session goes on: the caller asks again without a response format.
     */
    public static final class FormatRefused extends LlmException {
        FormatRefused(String message, Throwable cause) {
            super(FailureKind.BAD_REQUEST, message, cause);
        }
    }

    /**
     * A Batch API session has no stored answer for this request yet: it goes into the next wave
     * ({@link LlmSession#batchApi()}), and the step that asked is taken again once the wave is in.
     */
    public static final class Deferred extends LlmException {
        private final transient LlmRequest request;

        Deferred(LlmRequest request) {
            super(null, "deferred to the next Batch API wave", null);
            this.request = request;
        }

        public LlmRequest request() {
            return request;
        }
    }

    /** The calling thread was interrupted (batch paused or cancelled) while waiting or calling. */
    public static final class Cancelled extends LlmException {
        Cancelled(String message) {
            super(null, message, null);
        }
    }
}
