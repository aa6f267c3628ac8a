package io.selfinstruct.web.admin;

import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneStatus;
import io.selfinstruct.generate.BatchRepository;
import io.selfinstruct.generate.BatchStatus;
import io.selfinstruct.generate.BatchView;
import io.selfinstruct.generate.Batches;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.pool.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lombok.RequiredArgsConstructor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /admin}: what the pool holds, why candidates were rejected, what was spent, what is running. */
@RequiredArgsConstructor
@Controller
class DashboardController {

    private final PoolStats pool;
    private final LlmUsage llmUsage;
    private final Batches batches;
    private final BatchRepository batchRows;
    private final FineTuneJobRepository jobs;

    /** A count with its share of the whole, for the bars. */
    record Share(String name, long count, double percent) {}

    record Panel(String title, List<Share> shares) {}

    record Spend(long calls, long promptTokens, long completionTokens, double costUsd) {}

    @GetMapping("/admin")
    String dashboard(Model model) {
        model.addAttribute("total", pool.total());
        model.addAttribute(
                "panels",
                List.of(
                        new Panel("By status", shares(pool.byStatus())),
                        new Panel("By origin", shares(pool.byOrigin())),
                        new Panel("Accepted: classification share", shares(pool.acceptedByClassification())),
                        new Panel("Rejected instructions by reason", shares(pool.rejectedByReason()))));
        LlmUsage.Totals usage = llmUsage.ofAll();
        model.addAttribute(
                "spend", new Spend(usage.calls(), usage.promptTokens(), usage.completionTokens(), usage.costUsd()));
        List<BatchView> active =
                batchRows
                        .findByStatusInOrderById(List.of(BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.PAUSED))
                        .stream()
                        .map(b -> batches.view(b.getId()))
                        .toList();
        model.addAttribute("activeBatches", active);
        var running = new ArrayList<>(jobs.findByStatusOrderById(FineTuneStatus.RUNNING));
        running.addAll(jobs.findByStatusOrderById(FineTuneStatus.QUEUED));
        model.addAttribute("activeJobs", running);
        return "admin/dashboard";
    }

    private static List<Share> shares(Map<String, Long> counts) {
        long sum = counts.values().stream().mapToLong(Long::longValue).sum();
        return counts.entrySet().stream()
                .map(e -> new Share(e.getKey(), e.getValue(), sum == 0 ? 0 : 100.0 * e.getValue() / sum))
                .toList();
    }
}
