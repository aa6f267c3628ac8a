package io.selfinstruct.llm;

import io.selfinstruct.problem.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The LLM servers this service may call: {@code selfinstruct.llm.allowed-base-urls} (comma-separated), by default
 * only the configured base URL. A batch naming any other is refused, so an API caller cannot make the service
 * call an arbitrary host (a cloud metadata address, an internal service). A URL is allowed when its scheme, host
 * and port are an allowed entry's and its path is the entry's path or lies below it.
 */
@Component
public class OutboundHosts {

    public static final String PROPERTY = "selfinstruct.llm.allowed-base-urls";

    private final List<URI> allowed = new ArrayList<>();
    private final List<String> shown = new ArrayList<>();

    public OutboundHosts(LlmProperties properties, @Value("${" + PROPERTY + ":}") List<String> allowedBaseUrls) {
        List<String> entries = allowedBaseUrls.stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
        for (String entry : entries.isEmpty() ? List.of(properties.baseUrl()) : entries) {
            URI uri = parse(entry);
            if (uri == null) {
                throw new IllegalArgumentException(PROPERTY + " holds '" + entry + "', which is not an http(s) URL");
            }
            allowed.add(uri);
            shown.add(entry);
        }
    }

    /** Refuses a base URL that is not allowed, with a 400 saying how to allow it. */
    public void check(String baseUrl) {
        if (!allows(baseUrl)) {
            throw new InvalidRequestException("baseUrl " + baseUrl + " is not an allowed LLM server; this service "
                    + "calls " + String.join(", ", shown) + ". To allow another, add it to " + PROPERTY
                    + " (environment SELFINSTRUCT_LLM_ALLOWED_BASE_URLS, comma-separated) and restart.");
        }
    }

    public boolean allows(String baseUrl) {
        URI candidate = parse(baseUrl);
        return candidate != null && allowed.stream().anyMatch(entry -> within(candidate, entry));
    }

    private static boolean within(URI candidate, URI entry) {
        if (!candidate.getScheme().equals(entry.getScheme())
                || !candidate.getHost().equals(entry.getHost())
                || port(candidate) != port(entry)) {
            return false;
        }
        String path = candidate.getPath();
        String base = entry.getPath();
        return path.equals(base) || base.isEmpty() || path.startsWith(base + "/");
    }

    /** The normalized URL (lower-case scheme and host, no trailing slash), or null when it is no plain http(s) URL. */
    private static URI parse(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url.strip()).normalize();
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!("http".equals(scheme) || "https".equals(scheme))
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null
                    || uri.getPath().contains("/..")) {
                return null;
            }
            String path = uri.getPath().replaceAll("/+$", "");
            return new URI(scheme, null, uri.getHost().toLowerCase(Locale.ROOT), uri.getPort(), path, null, null);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }
}
