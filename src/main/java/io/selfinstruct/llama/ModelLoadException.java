package io.selfinstruct.llama;

/**
 * A model or adapter directory that cannot be loaded as asked: a missing file, an unsupported architecture, a
 * tensor that is missing or has the wrong shape. The message names the file or tensor so the caller can fix it.
 */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
