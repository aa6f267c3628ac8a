package io.selfinstruct.llama;

/**
 * A chat template that refuses a conversation ({@code raise_exception} with its own message, as transformers'
 * {@code TemplateError} carries it) or that cannot be rendered at all (a syntax error, a failing expression).
 */
public class ChatTemplateException extends IllegalArgumentException {

    public ChatTemplateException(String message) {
        super(message);
    }
}
