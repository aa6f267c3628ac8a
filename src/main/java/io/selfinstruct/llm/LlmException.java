package io.selfinstruct.llm;

/** Why a call gave no result. Messages are for people and never contain the API key. */
public abstract sealed class LlmException extends RuntimeException {

    LlmException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The server refused the batch's configuration (key, model, endpoint, request shape): retrying cannot help
     * and the batch must end with this message. Once raised, every later call of the session raises it too.
     */
    public static final class Fatal extends LlmException {
        private final FailureKind kind;

        Fatal(FailureKind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        public FailureKind kind() {
            return kind;
        }
    }

    /** The call was not made because it could take the batch's spend past {@code maxCostUsd}. */
    public static final class BudgetReached extends LlmException {
        BudgetReached(String message) {
            super(message, null);
        }
    }

    /** Every allowed attempt failed with a transient error; the message names the last one. */
    public static final class RetriesExhausted extends LlmException {
        private final FailureKind lastKind;

        RetriesExhausted(FailureKind lastKind, String message, Throwable cause) {
            super(message, cause);
            this.lastKind = lastKind;
        }

        public FailureKind lastKind() {
            return lastKind;
        }
    }

    /** The calling thread was interrupted (batch paused or cancelled) while waiting or calling. */
    public static final class Cancelled extends LlmException {
        Cancelled(String message) {
            super(message, null);
        }
    }
}
