package io.selfinstruct.pool;

import io.selfinstruct.problem.InvalidRequestException;

/** What the pool browser asks for: the instructions a {@link PoolFilter} chooses, one page of a sort. */
public record PoolQuery(PoolFilter filter, PoolSort sort, int page, int size) {

    public static final int MAX_PAGE_SIZE = 200;

    public PoolQuery {
        filter = filter == null ? PoolFilter.all() : filter;
        sort = sort == null ? PoolSort.NEWEST : sort;
        if (page < 0) {
            throw new InvalidRequestException("page starts at 0, got " + page);
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("size must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
    }

    /** Parses the query parameters as the API and the admin UI receive them; blank means no filter. */
    public static PoolQuery parse(
            String q,
            String status,
            String origin,
            String classification,
            Long batchId,
            String language,
            String sort,
            Integer page,
            Integer size) {
        PoolFilter filter = new PoolFilter(
                q,
                PoolFilter.parseStatus(status),
                PoolFilter.parseOrigins(origin),
                batchId,
                PoolFilter.parseBoolean("classification", classification),
                null,
                null,
                language);
        return new PoolQuery(filter, PoolSort.of(sort), page == null ? 0 : page, size == null ? 50 : size);
    }

    // the admin page's form reads the filters back by these names

    public String q() {
        return filter.text();
    }

    public InstructionStatus status() {
        return filter.status();
    }

    /** The origin filter when it names exactly one, as the browser's form offers. */
    public Origin origin() {
        return filter.origins().size() == 1 ? filter.origins().iterator().next() : null;
    }

    public Boolean classification() {
        return filter.classification();
    }

    public Long batchId() {
        return filter.batchId();
    }

    public String language() {
        return filter.language();
    }
}
