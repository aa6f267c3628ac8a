package io.selfinstruct.llm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * What makes two requests the same request: server, endpoint, model, the whole prompt as sent (the chat system
 * message included) and every sampling parameter. Stored with each call (SHA-256, hex) so that a batch with
 * {@code reuseAnswers} can answer an identical request from an earlier call. The OpenAI {@code seed} parameter is
 * not sent by this service, so it is not part of it.
 */
final class RequestFingerprint {

    private RequestFingerprint() {}

    static String of(LlmSettings settings, String systemPrompt, LlmRequest request) {
        Sampling s = request.sampling();
        StringBuilder canonical = new StringBuilder()
                .append(settings.baseUrl())
                .append('\n')
                .append(settings.api().wireName())
                .append('\n')
                .append(settings.model())
                .append('\n')
                .append(settings.api() == LlmApi.CHAT ? systemPrompt : "")
                .append('\n')
                .append(s.temperature())
                .append('|')
                .append(s.topP())
                .append('|')
                .append(s.maxTokens())
                .append('|')
                .append(s.stop())
                .append('|')
                .append(s.presencePenalty())
                .append('|')
                .append(s.frequencyPenalty())
                .append('|')
                .append(s.n())
                .append('|')
                // Map.copyOf iterates in an order that changes between JVMs: sort it
                .append(new TreeMap<>(s.logitBias()))
                .append('\n')
                .append(
                        request.responseFormat() == null
                                ? ""
                                : request.responseFormat().fingerprint())
                .append('\n')
                .append(request.prompt());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
