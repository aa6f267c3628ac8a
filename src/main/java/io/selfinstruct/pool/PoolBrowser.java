package io.selfinstruct.pool;

import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.problem.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import lombok.RequiredArgsConstructor;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pages through the pool for the browser and {@code GET /api/instructions}. Stays fast at hundreds of thousands
 * of instructions: each filter and sort has an index that ends on the id (V6), a page reads one more row than it
 * shows to know whether another follows, and a filtered page counts its matches only up to {@link #COUNT_LIMIT}
 * (the whole pool is counted exactly: H2 answers that from the table's row count). The text search is a
 * case-insensitive substring match, a scan of the texts on both databases.
 */
@RequiredArgsConstructor
@Component
public class PoolBrowser {

    /** A filtered page stops counting here; it then says "more than". */
    public static final int COUNT_LIMIT = 1_000;

    private static final String COLUMNS = "id, text, origin, batch_id, language, is_classification, status, "
            + "reject_reason, max_rouge, created_at";

    private final NamedParameterJdbcTemplate jdbc;
    private final InstructionRepository instructions;
    private final InstanceRepository instances;
    private final LlmCallRepository llmCalls;
    private final JsonMapper json;

    public InstructionDetail detail(long id) {
        Instruction i = instructions.findById(id).orElseThrow(() -> new NotFoundException("Instruction", id));
        List<InstructionDetail.InstanceView> examples = instances.findByInstructionIdOrderByPosition(id).stream()
                .map(e -> new InstructionDetail.InstanceView(
                        e.getId(), e.getInput(), e.getOutput(), e.getStatus(), e.getRejectReason()))
                .toList();
        InstructionDetail.LlmCallRef call = null;
        if (i.getLlmCallId() != null) {
            call = llmCalls.findById(i.getLlmCallId())
                    .map(c -> new InstructionDetail.LlmCallRef(c.getId(), c.getStep(), c.getModel()))
                    .orElse(null);
        }
        return new InstructionDetail(
                i.getId(),
                i.getText(),
                i.getOrigin(),
                i.getBatchId(),
                i.getLanguage(),
                i.getClassification(),
                i.getStatus(),
                i.getRejectReason(),
                i.getMaxRouge(),
                i.getAvgRouge(),
                i.getCreatedAt(),
                i.getUpdatedAt(),
                examples,
                mostSimilar(i.getMostSimilarJson()),
                call);
    }

    /** Reads the stored top 10; rows from before instruction ids were kept there have none. */
    private List<InstructionDetail.Similar> mostSimilar(String stored) {
        if (stored == null || stored.isBlank()) {
            return List.of();
        }
        List<InstructionDetail.Similar> similar = new ArrayList<>();
        for (JsonNode item : json.readTree(stored)) {
            JsonNode instructionId = item.get("instructionId");
            similar.add(new InstructionDetail.Similar(
                    instructionId == null || instructionId.isNull() ? null : instructionId.asLong(),
                    item.path("text").asString(""),
                    item.path("score").asDouble()));
        }
        return similar;
    }

    public PoolPage search(PoolQuery query) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String condition = query.filter().where("", params);
        String where = condition.isEmpty() ? "" : " where " + condition;
        params.addValue("limit", query.size() + 1).addValue("offset", (long) query.page() * query.size());
        List<PoolPage.Row> rows = new ArrayList<>(jdbc.query(
                "select " + COLUMNS + " from instruction" + where + " order by "
                        + query.sort().orderBy() + " limit :limit offset :offset",
                params,
                PoolBrowser::row));
        boolean hasNext = rows.size() > query.size();
        if (hasNext) {
            rows.remove(rows.size() - 1);
        }
        long total;
        boolean exact = where.isEmpty();
        if (exact) {
            total = jdbc.queryForObject("select count(*) from instruction", params, Long.class);
        } else {
            params.addValue("countLimit", COUNT_LIMIT + 1);
            total = jdbc.queryForObject(
                    "select count(*) from (select 1 from instruction" + where + " limit :countLimit) matches",
                    params,
                    Long.class);
            exact = total <= COUNT_LIMIT;
            total = Math.min(total, COUNT_LIMIT);
        }
        return new PoolPage(List.copyOf(rows), query.page(), query.size(), total, exact, hasNext);
    }

    private static PoolPage.Row row(ResultSet rs, int n) throws SQLException {
        long batchId = rs.getLong("batch_id");
        Long batch = rs.wasNull() ? null : batchId;
        boolean classification = rs.getBoolean("is_classification");
        Boolean isClassification = rs.wasNull() ? null : classification;
        double maxRouge = rs.getDouble("max_rouge");
        Double max = rs.wasNull() ? null : maxRouge;
        var created = rs.getTimestamp("created_at");
        return new PoolPage.Row(
                rs.getLong("id"),
                rs.getString("text"),
                Origin.valueOf(rs.getString("origin")),
                batch,
                rs.getString("language"),
                isClassification,
                InstructionStatus.valueOf(rs.getString("status")),
                rs.getString("reject_reason"),
                max,
                created == null ? null : created.toInstant());
    }
}
