package io.selfinstruct.pool;

import io.selfinstruct.problem.InvalidRequestException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Which pool instructions a reader wants: the one filter of the pool browser, the exports and the fine-tune data
 * selection. {@code text} is a case-insensitive substring, {@code from} is inclusive and {@code to} exclusive;
 * a null field (an empty {@code origins}) does not filter.
 */
public record PoolFilter(
        String text,
        InstructionStatus status,
        Set<Origin> origins,
        Long batchId,
        Boolean classification,
        Instant from,
        Instant to,
        String language) {

    public static final int MAX_TEXT_LENGTH = 500;

    public PoolFilter {
        text = text == null || text.isBlank() ? null : text.strip();
        origins = origins == null || origins.isEmpty() ? Set.of() : Set.copyOf(origins);
        // an HTML form sends an unset filter as an empty value
        language = language == null || language.isBlank() ? null : language.strip();
        if (text != null && text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidRequestException("q may be at most " + MAX_TEXT_LENGTH + " characters");
        }
    }

    /** Every instruction of the pool. */
    public static PoolFilter all() {
        return new PoolFilter(null, null, null, null, null, null, null, null);
    }

    /** Every accepted instruction. */
    public static PoolFilter accepted() {
        return new PoolFilter(null, InstructionStatus.ACCEPTED, null, null, null, null, null, null);
    }

    /**
     * The SQL condition on the {@code instruction} table (as {@code alias}), with its parameters added to
     * {@code params}; empty when nothing filters.
     */
    String where(String alias, MapSqlParameterSource params) {
        String c = alias.isEmpty() ? "" : alias + ".";
        List<String> conditions = new ArrayList<>();
        if (text != null) {
            conditions.add(c + "text ilike :text escape '\\'");
            params.addValue("text", "%" + likeLiteral(text) + "%");
        }
        if (status != null) {
            conditions.add(c + "status = :status");
            params.addValue("status", status.name());
        }
        if (!origins.isEmpty()) {
            conditions.add(c + "origin in (:origins)");
            params.addValue(
                    "origins", origins.stream().map(Origin::name).sorted().toList());
        }
        if (batchId != null) {
            conditions.add(c + "batch_id = :batchId");
            params.addValue("batchId", batchId);
        }
        if (classification != null) {
            conditions.add(c + "is_classification = :classification");
            params.addValue("classification", classification);
        }
        if (from != null) {
            conditions.add(c + "created_at >= :from");
            params.addValue("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        }
        if (to != null) {
            conditions.add(c + "created_at < :to");
            params.addValue("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        }
        if (language != null) {
            conditions.add(c + "language = :language");
            params.addValue("language", language);
        }
        return String.join(" and ", conditions);
    }

    /** The search text as a LIKE pattern that matches it literally. */
    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** A status as a request gives it (any case); blank means none. */
    public static InstructionStatus parseStatus(String value) {
        return parseEnum("status", value, InstructionStatus.class);
    }

    /** One origin or several separated by commas (any case); blank means none. */
    public static Set<Origin> parseOrigins(String value) {
        Set<Origin> origins = EnumSet.noneOf(Origin.class);
        if (value != null) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    origins.add(parseEnum("origin", name, Origin.class));
                }
            }
        }
        return origins;
    }

    public static Boolean parseBoolean(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidRequestException(name + " must be true or false, not '" + value + "'");
        };
    }

    /** An ISO date or instant; a date as the end of a range covers that whole day, so it is the next day's start. */
    public static Instant parseInstant(String name, String value, boolean end) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            if (value.strip().length() == 10) {
                LocalDate day = LocalDate.parse(value.strip());
                return (end ? day.plusDays(1) : day)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            }
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(name + " must be an ISO date (2026-01-31) or instant "
                    + "(2026-01-31T12:00:00Z), not '" + value + "'");
        }
    }

    private static <E extends Enum<E>> E parseEnum(String name, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Unknown " + name + " '" + value.strip() + "'; use one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }
}
