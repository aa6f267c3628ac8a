package io.selfinstruct.web;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The API key that guards {@code /api/**}: {@code selfinstruct.security.api-key}, or one generated at first
 * start and kept in {@code <data-dir>/api-key}.
 */
@Component
public class ApiKeys {

    private final byte[] expected;

    public ApiKeys(SecurityProperties properties, @Value("${selfinstruct.data-dir}") Path dataDir) {
        String key = StoredSecret.configuredOrStored(
                properties.apiKey(), dataDir.resolve("api-key"), "si-", "The API key (X-API-Key header for /api/**)");
        this.expected = key.getBytes(StandardCharsets.UTF_8);
    }

    /** The key itself, for the service's calls to its own endpoints; never logged or shown. */
    byte[] key() {
        return expected.clone();
    }

    /** Constant-time comparison so the key cannot be guessed byte by byte from response times. */
    public boolean matches(String presented) {
        return presented != null
                && MessageDigest.isEqual(expected, presented.strip().getBytes(StandardCharsets.UTF_8));
    }
}
