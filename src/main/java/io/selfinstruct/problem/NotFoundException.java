package io.selfinstruct.problem;

/** The addressed resource does not exist: becomes a 404 problem detail. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String what, Object id) {
        super(what + " " + id + " does not exist");
    }
}
