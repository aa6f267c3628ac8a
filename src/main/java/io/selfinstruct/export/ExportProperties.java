package io.selfinstruct.export;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.export.*}: the system message of {@code openai-chat} exports (a request may override it)
 * and the JDBC fetch size that bounds how many rows an export holds in memory.
 */
@ConfigurationProperties("selfinstruct.export")
public record ExportProperties(String systemMessage, Integer fetchSize) {

    public static final String DEFAULT_SYSTEM_MESSAGE = "You are a helpful assistant.";

    public ExportProperties {
        systemMessage = systemMessage == null ? DEFAULT_SYSTEM_MESSAGE : systemMessage;
        fetchSize = fetchSize == null || fetchSize <= 0 ? 1000 : fetchSize;
    }
}
