package io.selfinstruct.problem;

/** A request body past its endpoint's size limit: becomes a 413 problem detail saying the limit and how to raise it. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(String message) {
        super(message);
    }
}
