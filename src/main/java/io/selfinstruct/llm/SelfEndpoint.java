package io.selfinstruct.llm;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The service's own OpenAI-compatible server as an LLM server of its own features: a batch or an evaluation
 * names it as {@code "baseUrl": "self"} (or by its address) and calls the models the service serves, under the
 * service's own key, at no cost. The address is resolved when a run starts, not when it was requested, so a
 * restart on another port still finds it.
 */
@Component
public class SelfEndpoint {

    /** The {@code baseUrl} that names the service's own {@code /v1}. */
    public static final String SELF = "self";

    private final String configuredUrl;
    private final int configuredPort;
    private final ServiceApiKey key;

    /** The port the server listens on, once it has started (a random {@code server.port=0} only then has one). */
    private volatile int listeningPort;

    SelfEndpoint(
            @Value("${selfinstruct.serve.self-url:}") String configuredUrl,
            @Value("${server.port:8080}") int configuredPort,
            ServiceApiKey key) {
        this.configuredUrl = trimSlash(configuredUrl.strip());
        this.configuredPort = configuredPort;
        this.key = key;
    }

    @EventListener
    void serverStarted(WebServerInitializedEvent event) {
        listeningPort = event.getWebServer().getPort();
    }

    /**
     * {@code selfinstruct.serve.self-url} when set, else {@code http://localhost:<port>/v1} on the port the server
     * listens on.
     */
    public String url() {
        if (!configuredUrl.isEmpty()) {
            return configuredUrl;
        }
        int port = listeningPort > 0 ? listeningPort : configuredPort;
        return "http://localhost:" + port + "/v1";
    }

    /** Whether {@code baseUrl} names this service's own {@code /v1}: {@code self}, or its address. */
    public boolean isSelf(String baseUrl) {
        if (baseUrl == null) {
            return false;
        }
        String url = trimSlash(baseUrl.strip());
        return url.equals(SELF) || url.equals(url()) || url.equals(url().replace("//localhost:", "//127.0.0.1:"));
    }

    /** The key the service's own {@code /v1} accepts; never logged or shown. */
    public String apiKey() {
        return key.value();
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
