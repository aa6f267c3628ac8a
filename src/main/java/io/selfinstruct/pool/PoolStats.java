package io.selfinstruct.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** What the pool holds, counted: by status, origin, classification and rejection reason (the dashboard's panels). */
@Component
public class PoolStats {

    /** The most rejection reasons {@link #rejectedByReason()} lists. */
    public static final int TOP_REASONS = 12;

    private final JdbcTemplate jdbc;

    public PoolStats(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public long total() {
        Long total = jdbc.queryForObject("select count(*) from instruction", Long.class);
        return total == null ? 0 : total;
    }

    /** Counts by status, largest first. */
    public Map<String, Long> byStatus() {
        return counts("select status, count(*) from instruction group by status order by count(*) desc");
    }

    /** Counts by origin, largest first. */
    public Map<String, Long> byOrigin() {
        return counts("select origin, count(*) from instruction group by origin order by count(*) desc");
    }

    /** Accepted instructions as {@code classification}, {@code other} and {@code not yet known} (before step 2). */
    public Map<String, Long> acceptedByClassification() {
        return counts(
                "select case when is_classification then 'classification' when not is_classification then "
                        + "'other' else 'not yet known' end, count(*) from instruction where status = ? "
                        + "group by is_classification order by count(*) desc",
                InstructionStatus.ACCEPTED.name());
    }

    /** Rejected instructions by reason, the {@value #TOP_REASONS} most frequent; a null reason is {@code (none)}. */
    public Map<String, Long> rejectedByReason() {
        return counts(
                "select reject_reason, count(*) from instruction where status = ? group by reject_reason "
                        + "order by count(*) desc limit " + TOP_REASONS,
                InstructionStatus.REJECTED.name());
    }

    private Map<String, Long> counts(String sql, Object... args) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query(
                sql,
                rs -> {
                    counts.put(rs.getString(1) == null ? "(none)" : rs.getString(1), rs.getLong(2));
                },
                args);
        return counts;
    }
}
