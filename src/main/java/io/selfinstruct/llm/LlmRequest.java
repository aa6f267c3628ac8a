package io.selfinstruct.llm;

/**
 * One logical call.
 *
 * @param step       the pipeline step making it, e.g. {@code generate_instructions} (at most 32 characters)
 * @param requestKey unique and deterministic within the service (include the batch id), or null; a call whose
 *                   key already SUCCEEDED is answered from the database without calling the API again
 * @param prompt     the text to continue
 * @param responseFormat a JSON schema the answer must follow (chat only; OpenAI's structured outputs, vLLM's
 *                   guided decoding), or null for free text
 */
public record LlmRequest(
        String step, String requestKey, String prompt, Sampling sampling, ResponseFormat responseFormat) {

    public LlmRequest(String step, String requestKey, String prompt, Sampling sampling) {
        this(step, requestKey, prompt, sampling, null);
    }

    public LlmRequest {
        if (step == null || step.isBlank() || step.length() > 32) {
            throw new IllegalArgumentException("step must be 1 to 32 characters");
        }
        if (requestKey != null && (requestKey.isBlank() || requestKey.length() > 200)) {
            throw new IllegalArgumentException("requestKey must be 1 to 200 characters");
        }
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must be set");
        }
        sampling = sampling == null ? Sampling.SERVER_DEFAULTS : sampling;
    }
}
