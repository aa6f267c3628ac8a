package io.selfinstruct.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secret the operator did not configure: generated at first start, kept in an owner-only file under the data
 * directory, printed once when it is made; later starts only say where it is.
 */
final class StoredSecret {

    private static final Logger log = LoggerFactory.getLogger(StoredSecret.class);

    private StoredSecret() {}

    static String configuredOrStored(String configured, Path file, String prefix, String what) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        Path path = file.toAbsolutePath().normalize();
        try {
            if (Files.exists(path)) {
                log.info("{} is in {}", what, path);
                return Files.readString(path, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String secret = prefix + HexFormat.of().formatHex(random);
            Files.createDirectories(path.getParent());
            Files.writeString(path, secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file keeps the directory's permissions
            }
            log.warn(
                    "{} was not configured: generated one and stored it in {}. It is shown this once: {}",
                    what,
                    path,
                    secret);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + path, e);
        }
    }
}
