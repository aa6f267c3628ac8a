package io.selfinstruct.pool;

import io.selfinstruct.problem.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the pool browser asks for: a case-insensitive substring of the text and exact filters, one page of a sort.
 * Null filters do not filter.
 */
public record PoolQuery(String q, InstructionStatus status, Origin origin, Boolean classification, Long batchId,
        String language, PoolSort sort, int page, int size) {

    public static final int MAX_PAGE_SIZE = 200;
    public static final int MAX_QUERY_LENGTH = 500;

    public PoolQuery {
        q = q == null || q.isBlank() ? null : q.strip();
        language = language == null || language.isBlank() ? null : language.strip();
        sort = sort == null ? PoolSort.NEWEST : sort;
        if (q != null && q.length() > MAX_QUERY_LENGTH) {
            throw new InvalidRequestException("q may be at most " + MAX_QUERY_LENGTH + " characters");
        }
        if (page < 0) {
            throw new InvalidRequestException("page starts at 0, got " + page);
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("size must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
    }

    /** Parses the query parameters as the API and the admin UI receive them; blank means no filter. */
    public static PoolQuery parse(String q, String status, String origin, String classification, Long batchId,
            String language, String sort, Integer page, Integer size) {
        return new PoolQuery(q, parseEnum("status", status, InstructionStatus.class),
                parseEnum("origin", origin, Origin.class), parseBoolean(classification), batchId, language,
                PoolSort.of(sort), page == null ? 0 : page, size == null ? 50 : size);
    }

    public PoolQuery withPage(int page) {
        return new PoolQuery(q, status, origin, classification, batchId, language, sort, page, size);
    }

    private static <E extends Enum<E>> E parseEnum(String name, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Unknown " + name + " '" + value + "'; use one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    private static Boolean parseBoolean(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidRequestException("classification must be true or false, not '" + value + "'");
        };
    }
}
