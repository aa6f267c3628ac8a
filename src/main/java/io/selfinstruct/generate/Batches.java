package io.selfinstruct.generate;

import io.selfinstruct.llm.LlmApi;
import io.selfinstruct.llm.LlmClient;
import io.selfinstruct.seed.SeedSets;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Creating batches, reading their progress, and the pause/resume/cancel transitions. */
@Service
public class Batches {

    private final BatchRepository repository;
    private final SeedSets seedSets;
    private final LlmClient llm;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public Batches(BatchRepository repository, SeedSets seedSets, LlmClient llm, JdbcTemplate jdbc, JsonMapper json) {
        this.repository = repository;
        this.seedSets = seedSets;
        this.llm = llm;
        this.jdbc = jdbc;
        this.json = json;
    }

    public BatchView create(BatchRequest request) {
        BatchConfig config = BatchConfig.resolve(request, llm.defaults());
        if (!seedSets.exists(config.seedSet())) {
            throw new InvalidRequestException("seedSet '" + config.seedSet() + "' does not exist or is empty; "
                    + "GET /api/seed-sets lists the sets, POST /api/seed-tasks?set=NAME imports one");
        }
        if (config.minLength() >= config.maxLength()) {
            throw new InvalidRequestException("minLength must be below maxLength");
        }
        LlmApi.parse(config.api());
        Batch batch = repository.save(new Batch(config.mode(), config.seedSet(), config.model(), config.api(),
                config.baseUrl(), config.language(), config.targetInstructions(), json.writeValueAsString(config)));
        return view(batch.getId());
    }

    public List<BatchView> list() {
        return repository.findAll(org.springframework.data.domain.Sort.by("id").descending()).stream()
                .map(b -> view(b.getId())).toList();
    }

    public BatchView view(long id) {
        Batch batch = repository.findById(id).orElseThrow(() -> new NotFoundException("Batch", id));
        Map<String, Long> byStatus = new TreeMap<>();
        jdbc.query("select status, count(*) from instruction where batch_id = ? group by status",
                rs -> { byStatus.put(rs.getString(1), rs.getLong(2)); }, id);
        Map<String, Long> rejected = new TreeMap<>();
        jdbc.query("select reject_reason, count(*) from instruction where batch_id = ? and status = 'REJECTED' "
                + "group by reject_reason", rs -> { rejected.merge(rs.getString(1), rs.getLong(2), Long::sum); }, id);
        jdbc.query("select s.reject_reason, count(*) from instance s join instruction i on s.instruction_id = i.id "
                        + "where i.batch_id = ? and s.status = 'REJECTED' group by s.reject_reason",
                rs -> { rejected.merge(rs.getString(1), rs.getLong(2), Long::sum); }, id);
        long[] usage = jdbc.queryForObject("select count(*), coalesce(sum(prompt_tokens), 0), "
                        + "coalesce(sum(completion_tokens), 0), coalesce(sum(cost_usd), 0) from llm_call where batch_id = ?",
                (rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        Double.doubleToLongBits(rs.getDouble(4))}, id);
        int accepted = byStatus.getOrDefault("ACCEPTED", 0L).intValue();
        Instant end = batch.getFinishedAt() != null ? batch.getFinishedAt() : Instant.now();
        double minutes = batch.getStartedAt() == null ? 0
                : Duration.between(batch.getStartedAt(), end).toMillis() / 60_000.0;
        double perMinute = minutes > 0 ? accepted / minutes : 0;
        Long etaSeconds = null;
        Instant eta = null;
        if (batch.getStatus() == BatchStatus.RUNNING && perMinute > 0) {
            etaSeconds = Math.round((batch.getTarget() - accepted) / perMinute * 60);
            eta = Instant.now().plusSeconds(etaSeconds);
        }
        return new BatchView(batch.getId(), batch.getStatus(), batch.getStatusReason(), batch.getMode(),
                batch.getModel(), batch.getApi(), batch.getSeedSet(), batch.getLanguage(), batch.getTarget(), accepted,
                byStatus.getOrDefault("CANDIDATE", 0L).intValue(), rejected, usage[0], usage[1], usage[2],
                Double.longBitsToDouble(usage[3]), perMinute, eta, etaSeconds, batch.getError(),
                batch.getCreatedAt(), batch.getStartedAt(), batch.getFinishedAt(), config(batch));
    }

    BatchConfig config(Batch batch) {
        return json.readValue(batch.getConfigJson(), BatchConfig.class);
    }

    public BatchView pause(long id) {
        return transition(id, "PAUSED", "paused by request", List.of("QUEUED", "RUNNING"));
    }

    public BatchView resume(long id) {
        return transition(id, "QUEUED", null, List.of("PAUSED", "FAILED"));
    }

    public BatchView cancel(long id) {
        return transition(id, "CANCELLED", "cancelled by request", List.of("QUEUED", "RUNNING", "PAUSED"));
    }

    private BatchView transition(long id, String to, String reason, List<String> from) {
        Batch batch = repository.findById(id).orElseThrow(() -> new NotFoundException("Batch", id));
        Timestamp now = Timestamp.from(Instant.now());
        var params = new MapSqlParameterSource("to", to).addValue("reason", reason).addValue("now", now)
                .addValue("finished", to.equals("CANCELLED") ? now : null).addValue("id", id).addValue("from", from);
        // a resumed batch starts clean: the error of its failed run is history
        String clearError = to.equals("QUEUED") ? ", error = null" : "";
        int changed = new NamedParameterJdbcTemplate(jdbc).update("update batch set status = :to, "
                + "status_reason = :reason, finished_at = :finished, updated_at = :now" + clearError
                + " where id = :id and status in (:from)", params);
        if (changed == 0) {
            throw new ConflictException("Batch " + id + " is " + batch.getStatus() + "; only a batch that is "
                    + String.join(" or ", from) + " can be set " + to);
        }
        return view(id);
    }
}
