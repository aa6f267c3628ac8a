package io.selfinstruct.llm;

import java.util.Locale;

/** What went wrong with one HTTP attempt; the metric tag {@code kind} is the lower-case name. */
public enum FailureKind {
    RATE_LIMITED(true),
    SERVER_ERROR(true),
    TIMEOUT(true),
    CONNECTION(true),
    /** Not valid JSON, or no choices: retried, but only {@code maxMalformedAttempts} times. */
    MALFORMED(true),
    UNAUTHORIZED(false),
    FORBIDDEN(false),
    NOT_FOUND(false),
    BAD_REQUEST(false);

    private final boolean retryable;

    FailureKind(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
