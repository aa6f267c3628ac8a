package io.selfinstruct.export;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.import.*}: the largest body {@code POST /api/import} reads (a larger one is refused with
 * 413 before it is all read), the longest instruction, input or output a record may hold, and how many rows go
 * to the database per JDBC batch.
 */
@ConfigurationProperties("selfinstruct.import")
public record ImportProperties(Long maxBytes, Integer maxFieldChars, Integer batchSize) {

    public ImportProperties {
        maxBytes = maxBytes == null || maxBytes <= 0 ? 200L * 1024 * 1024 : maxBytes;
        maxFieldChars = maxFieldChars == null || maxFieldChars <= 0 ? 100_000 : maxFieldChars;
        batchSize = batchSize == null || batchSize <= 0 ? 1000 : batchSize;
    }
}
