package io.selfinstruct.problem;

/**
 * A request the service cannot act on because of what the caller sent: becomes a 400 problem detail whose
 * detail is this message, so the message must tell the caller what to change.
 */
public class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
