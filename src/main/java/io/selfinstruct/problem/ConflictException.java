package io.selfinstruct.problem;

/** The request is valid but clashes with the resource's current state: becomes a 409 problem detail. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
