package io.selfinstruct.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh, empty PostgreSQL database for one test class: a new database on the server named by
 * {@code SELFINSTRUCT_TEST_JDBC_URL} (what CI sets), else a Testcontainers PostgreSQL 16 when Docker runs,
 * else the test is skipped with a message saying how to run it.
 */
public final class PostgresDatabase {

    public static final String ENV = "SELFINSTRUCT_TEST_JDBC_URL";
    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?");

    private static PostgreSQLContainer container;

    private PostgresDatabase() {}

    /**
     * Skips the calling test class, with a message saying how to run it, when no PostgreSQL can be had. Call it
     * from a {@code @BeforeAll}: that runs before the Spring context is built, so the class is skipped, not failed.
     */
    public static void assumeAvailable() {
        String server = System.getenv(ENV);
        if ((server == null || server.isBlank()) && container == null && !dockerRuns()) {
            String message = "PostgreSQL tests skipped: set " + ENV
                    + " (e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres) or run Docker for Testcontainers";
            System.err.println("[WARN] " + message);
            Assumptions.abort(message);
        }
    }

    /** Points the Spring context's datasource at a new database; call from a {@code @DynamicPropertySource}. */
    public static void register(DynamicPropertyRegistry registry) {
        String jdbcUrl = createDatabase();
        registry.add("spring.datasource.url", () -> jdbcUrl);
        registry.add("spring.datasource.username", () -> container == null ? "" : container.getUsername());
        registry.add("spring.datasource.password", () -> container == null ? "" : container.getPassword());
    }

    public static synchronized String createDatabase() {
        assumeAvailable();
        String server = System.getenv(ENV);
        if (server != null && !server.isBlank()) {
            return newDatabaseOn(server.strip());
        }
        if (container == null) {
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
        }
        return container.getJdbcUrl();
    }

    private static String newDatabaseOn(String serverUrl) {
        Matcher m = URL.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalStateException(
                    ENV + " must look like jdbc:postgresql://host:port/db?user=..., got " + serverUrl);
        }
        String name = "si_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(serverUrl)) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot create a test database on " + m.group(1) + ": " + e.getMessage(), e);
        }
        return m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
    }

    private static boolean dockerRuns() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
