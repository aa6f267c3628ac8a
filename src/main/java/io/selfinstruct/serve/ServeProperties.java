package io.selfinstruct.serve;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.serve.*}: the OpenAI-compatible server.
 *
 * @param aliases other names for served models ({@code selfinstruct.serve.aliases.tiny=tiny-llama/model})
 * @param maxDepth how many directory levels under a model root are searched for model directories
 * @param maxQueued sequences that may wait for a decoding slot; more is a 429 with Retry-After
 * @param maxBatch sequences decoded together in one forward pass
 * @param joinWait how long a batch that starts on an idle model waits for others to join its first step
 */
@ConfigurationProperties("selfinstruct.serve")
public record ServeProperties(
        Map<String, String> aliases, Integer maxDepth, Integer maxQueued, Integer maxBatch, Duration joinWait) {

    public ServeProperties {
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        maxDepth = maxDepth == null ? 3 : maxDepth;
        maxQueued = maxQueued == null ? 64 : maxQueued;
        maxBatch = maxBatch == null ? 16 : maxBatch;
        joinWait = joinWait == null ? Duration.ZERO : joinWait;
    }
}
