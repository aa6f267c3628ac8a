package io.selfinstruct.export;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.import.*}: the largest body {@code POST /api/import} reads (a larger one is refused with
 * 413 before it is all read), and the longest instruction, input or output a record may hold ({@code batch-size},
 * the rows per JDBC batch, is read by {@link io.selfinstruct.pool.PoolImports}).
 */
@ConfigurationProperties("selfinstruct.import")
public record ImportProperties(Long maxBytes, Integer maxFieldChars) {

    public ImportProperties {
        maxBytes = maxBytes == null || maxBytes <= 0 ? 200L * 1024 * 1024 : maxBytes;
        maxFieldChars = maxFieldChars == null || maxFieldChars <= 0 ? 100_000 : maxFieldChars;
    }
}
