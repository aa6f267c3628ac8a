package io.selfinstruct.pool;

import io.selfinstruct.problem.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The orders the pool browser offers; each ends on the id so that pages never overlap, and each has its index (V6). */
public enum PoolSort {
    NEWEST("id desc"),
    OLDEST("id asc"),
    MOST_SIMILAR("max_rouge desc nulls last, id desc"),
    LEAST_SIMILAR("max_rouge asc nulls last, id asc");

    private final String orderBy;

    PoolSort(String orderBy) {
        this.orderBy = orderBy;
    }

    String orderBy() {
        return orderBy;
    }

    /** The query parameter value, e.g. {@code most_similar}. */
    public String parameter() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PoolSort of(String value) {
        if (value == null || value.isBlank()) {
            return NEWEST;
        }
        for (PoolSort sort : values()) {
            if (sort.parameter().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return sort;
            }
        }
        throw new InvalidRequestException("Unknown sort '" + value + "'; use one of "
                + Arrays.stream(values()).map(PoolSort::parameter).collect(Collectors.joining(", ")));
    }
}
