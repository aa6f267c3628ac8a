package io.selfinstruct.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The API key that guards {@code /api/**}: the configured one, or one generated at first start and kept in
 * {@code <data-dir>/api-key} (owner-only permissions). A generated key is printed once, when it is made; later
 * starts only say where it is.
 */
@Component
public class ApiKeys {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private final byte[] expected;

    public ApiKeys(SecurityProperties properties, @Value("${selfinstruct.data-dir}") Path dataDir) {
        String configured = properties.apiKey();
        String key = configured != null && !configured.isBlank() ? configured.strip() : storedOrGenerated(dataDir);
        this.expected = key.getBytes(StandardCharsets.UTF_8);
    }

    /** Constant-time comparison so the key cannot be guessed byte by byte from response times. */
    public boolean matches(String presented) {
        return presented != null
                && MessageDigest.isEqual(expected, presented.strip().getBytes(StandardCharsets.UTF_8));
    }

    private static String storedOrGenerated(Path dataDir) {
        Path file = dataDir.resolve("api-key").toAbsolutePath().normalize();
        try {
            if (Files.exists(file)) {
                log.info("API key (X-API-Key header for /api/**) is in {}", file);
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String key = "si-" + HexFormat.of().formatHex(random);
            Files.createDirectories(file.getParent());
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file keeps the directory's permissions
            }
            log.warn("No selfinstruct.security.api-key configured: generated one and stored it in {}. "
                    + "Send it as the X-API-Key header. It is shown this once: {}", file, key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the API key file " + file, e);
        }
    }
}
