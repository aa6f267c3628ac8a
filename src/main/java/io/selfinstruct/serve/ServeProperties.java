package io.selfinstruct.serve;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.serve.*}: the OpenAI-compatible server.
 *
 * @param aliases other names for served models ({@code selfinstruct.serve.aliases.tiny=tiny-llama/model})
 * @param maxDepth how many directory levels under a model root are searched for model directories
 */
@ConfigurationProperties("selfinstruct.serve")
public record ServeProperties(Map<String, String> aliases, Integer maxDepth) {

    public ServeProperties {
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        maxDepth = maxDepth == null ? 3 : maxDepth;
    }
}
