package io.selfinstruct.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The admin UI account.
 *
 * @param username login name (default {@code admin})
 * @param password when blank, one is generated at first start and kept in {@code <data-dir>/admin-password}
 */
@ConfigurationProperties("selfinstruct.admin")
public record AdminProperties(String username, String password) {
    public AdminProperties {
        username = username == null || username.isBlank() ? "admin" : username.strip();
    }
}
