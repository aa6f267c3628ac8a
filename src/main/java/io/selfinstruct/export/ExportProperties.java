package io.selfinstruct.export;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.export.*}: the system message of {@code openai-chat} exports (a request may override it).
 * {@code fetch-size}, the JDBC fetch size that bounds how many rows an export holds in memory, is read by
 * {@link io.selfinstruct.pool.PoolExamples}.
 */
@ConfigurationProperties("selfinstruct.export")
public record ExportProperties(String systemMessage) {

    public static final String DEFAULT_SYSTEM_MESSAGE = "You are a helpful assistant.";

    public ExportProperties {
        systemMessage = systemMessage == null ? DEFAULT_SYSTEM_MESSAGE : systemMessage;
    }
}
