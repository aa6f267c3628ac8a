package io.selfinstruct.seed;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;

/** Loads the project's seed sets ({@code default} and {@code zh}) at first start; existing sets are left alone. */
@Component
public class InitialSeedSets implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(InitialSeedSets.class);

    private final SeedSets seedSets;
    private final ResourceLoader resources;
    private final Properties properties;

    public InitialSeedSets(SeedSets seedSets, ResourceLoader resources, Properties properties) {
        this.seedSets = seedSets;
        this.resources = resources;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        properties.initial().forEach((set, location) -> {
            if (seedSets.exists(set)) {
                return;
            }
            Resource resource = resources.getResource(location);
            try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
                int count = seedSets.importSet(set, reader);
                log.info("Loaded seed set '{}' with {} tasks from {}", set, count, location);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the seed set '" + set + "' from " + location, e);
            }
        });
    }

    /** @param initial seed set name -> resource location, loaded when the set does not exist yet */
    @ConfigurationProperties("selfinstruct.seeds")
    public record Properties(Map<String, String> initial) {
        public Properties {
            initial = initial == null ? Map.of() : initial;
        }
    }
}
