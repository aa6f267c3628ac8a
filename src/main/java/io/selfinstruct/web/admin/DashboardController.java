package io.selfinstruct.web.admin;

import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneStatus;
import io.selfinstruct.generate.BatchRepository;
import io.selfinstruct.generate.BatchStatus;
import io.selfinstruct.generate.BatchView;
import io.selfinstruct.generate.Batches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /admin}: what the pool holds, why candidates were rejected, what was spent, what is running. */
@Controller
class DashboardController {

    private final JdbcTemplate jdbc;
    private final Batches batches;
    private final BatchRepository batchRows;
    private final FineTuneJobRepository jobs;

    DashboardController(JdbcTemplate jdbc, Batches batches, BatchRepository batchRows, FineTuneJobRepository jobs) {
        this.jdbc = jdbc;
        this.batches = batches;
        this.batchRows = batchRows;
        this.jobs = jobs;
    }

    /** A count with its share of the whole, for the bars. */
    record Share(String name, long count, double percent) {
    }

    record Panel(String title, List<Share> shares) {
    }

    record Spend(long calls, long promptTokens, long completionTokens, double costUsd) {
    }

    @GetMapping("/admin")
    String dashboard(Model model) {
        model.addAttribute("total", jdbc.queryForObject("select count(*) from instruction", Long.class));
        model.addAttribute("panels", List.of(
                new Panel("By status", shares("select status, count(*) from instruction group by status "
                        + "order by count(*) desc")),
                new Panel("By origin", shares("select origin, count(*) from instruction group by origin "
                        + "order by count(*) desc")),
                new Panel("Accepted: classification share", shares("select case when is_classification then "
                        + "'classification' when not is_classification then 'other' else 'not yet known' end, "
                        + "count(*) from instruction where status = 'ACCEPTED' group by is_classification "
                        + "order by count(*) desc")),
                new Panel("Rejected instructions by reason", shares("select reject_reason, count(*) from instruction "
                        + "where status = 'REJECTED' group by reject_reason order by count(*) desc limit 12"))));
        model.addAttribute("spend", jdbc.queryForObject("select count(*), coalesce(sum(prompt_tokens), 0), "
                + "coalesce(sum(completion_tokens), 0), coalesce(sum(cost_usd), 0) from llm_call",
                (rs, n) -> new Spend(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4))));
        List<BatchView> active = batchRows.findByStatusInOrderById(
                        List.of(BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.PAUSED)).stream()
                .map(b -> batches.view(b.getId())).toList();
        model.addAttribute("activeBatches", active);
        var running = new ArrayList<>(jobs.findByStatusOrderById(FineTuneStatus.RUNNING));
        running.addAll(jobs.findByStatusOrderById(FineTuneStatus.QUEUED));
        model.addAttribute("activeJobs", running);
        return "admin/dashboard";
    }

    private List<Share> shares(String sql) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query(sql, rs -> {
            counts.put(rs.getString(1) == null ? "(none)" : rs.getString(1), rs.getLong(2));
        });
        long sum = counts.values().stream().mapToLong(Long::longValue).sum();
        return counts.entrySet().stream()
                .map(e -> new Share(e.getKey(), e.getValue(), sum == 0 ? 0 : 100.0 * e.getValue() / sum))
                .toList();
    }
}
