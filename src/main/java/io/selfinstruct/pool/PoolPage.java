package io.selfinstruct.pool;

import java.time.Instant;
import java.util.List;

/**
 * One page of the pool browser.
 *
 * @param total      how many instructions match, exact when {@code totalExact}; a filtered page counts only up
 *                   to {@link PoolBrowser#COUNT_LIMIT}
 * @param hasNext    whether a further page holds anything
 */
public record PoolPage(List<Row> items, int page, int size, long total, boolean totalExact, boolean hasNext) {

    public long pages() {
        return (total + size - 1) / size;
    }

    /** An instruction as a list shows it. */
    public record Row(
            long id,
            String text,
            Origin origin,
            Long batchId,
            String language,
            Boolean classification,
            InstructionStatus status,
            String rejectReason,
            Double maxRouge,
            Instant createdAt) {}
}
