package io.selfinstruct.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param apiKey value of the {@code X-API-Key} header that {@code /api/**} requires; when blank, one is
 *               generated at first start and kept in {@code <data-dir>/api-key}
 */
@ConfigurationProperties("selfinstruct.security")
public record SecurityProperties(String apiKey) {}
