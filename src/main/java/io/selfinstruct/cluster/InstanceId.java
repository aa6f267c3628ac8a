package io.selfinstruct.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This instance's name when several share one database: {@code selfinstruct.batches.instance-id}, else a name
 * generated once and kept in {@code <data-dir>/instance-id}, so a restarted instance takes its own batches and
 * jobs back at once while a dead one's are taken over after their claim timeout.
 */
@Component
public class InstanceId {

    private final String id;

    public InstanceId(
            @Value("${selfinstruct.batches.instance-id:}") String configured,
            @Value("${selfinstruct.data-dir}") Path dataDir) {
        this.id = configured != null && !configured.isBlank() ? configured.strip() : stored(dataDir);
    }

    public String id() {
        return id;
    }

    private static String stored(Path dataDir) {
        Path file = dataDir.resolve("instance-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String id = UUID.randomUUID().toString();
            Files.createDirectories(dataDir);
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + file, e);
        }
    }
}
