package io.selfinstruct.generate;

import io.selfinstruct.llm.LlmClient;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.llm.ModelPrice;
import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.BatchInstructions;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.RejectReason;
import io.selfinstruct.seed.SeedSets;
import io.selfinstruct.seed.SeedTaskLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lombok.RequiredArgsConstructor;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

/**
 * What a batch is expected to take before it starts: calls per step, tokens and cost. The yield of a step-1 call
 * (instructions admitted per call, and the share of those that pass step 4) comes from the last completed batches
 * with the same seed set and mode; without any, from {@link #REFERENCE}. Tokens per call come from the same
 * batches, else from the size of the batch's own prompts and typical answer lengths.
 */
@RequiredArgsConstructor
@Component
public class Forecast {

    /** Earlier batches whose yield is averaged. */
    static final int HISTORY = 5;

    /**
     * Without history: self-instruct asks for up to 7 new items per call (9 to 15) and, early in a pool, about half
     * pass the filters and ROUGE-L; 9 of 10 admitted tasks keep valid instances. Alpaca asks for up to 16 tasks, of
     * which about half are kept.
     */
    static final Yield REFERENCE = new Yield(3.0, 0.9, "reference scripts' typical rate", List.of());

    static final Yield REFERENCE_ALPACA = new Yield(8.0, 1.0, "reference scripts' typical rate", List.of());

    /** Typical completion tokens per call by step when no earlier batch says. */
    private static final Map<String, Long> TYPICAL_COMPLETION = Map.of(
            BatchRun.STEP_GENERATE, 250L,
            BatchRun.STEP_ALPACA, 1200L,
            BatchRun.STEP_CLASSIFY, 2L,
            BatchRun.STEP_INSTANCES, 150L);

    private final BatchRepository batches;
    private final BatchInstructions instructions;
    private final LlmUsage usage;
    private final LlmClient llm;
    private final PromptTemplates prompts;
    private final SeedSets seedSets;

    /**
     * @param admittedPerCall instructions admitted to the pool per step-1 call (accepted at once in Alpaca mode)
     * @param passRate        the share of admitted instructions that pass step 4 (1 in Alpaca mode)
     * @param basisBatchIds   the earlier batches it was measured on; empty for the reference rate
     */
    public record Yield(double admittedPerCall, double passRate, String basis, List<Long> basisBatchIds) {

        /** Step-1 calls expected to bring {@code instructions} accepted ones. */
        double callsFor(double instructions) {
            return instructions / (admittedPerCall * passRate);
        }
    }

    /** Expected calls per step, tokens and cost of a batch with this configuration; nothing is called. */
    public record Expected(
            int targetInstructions,
            String delivery,
            Yield yield,
            Map<String, Long> calls,
            long totalCalls,
            long promptTokens,
            long completionTokens,
            double costUsd,
            ModelPrice price) {}

    public Expected of(BatchConfig config) {
        Yield yield = yieldOf(config);
        double admitted = config.targetInstructions() / yield.passRate();
        long generations = (long) Math.ceil(yield.callsFor(config.targetInstructions()));
        Map<String, Long> calls = new java.util.LinkedHashMap<>();
        if (config.alpaca()) {
            calls.put(BatchRun.STEP_ALPACA, generations);
        } else {
            calls.put(BatchRun.STEP_GENERATE, generations);
            calls.put(BatchRun.STEP_CLASSIFY, config.classificationOnly() ? 0 : Math.round(admitted));
            calls.put(BatchRun.STEP_INSTANCES, Math.round(admitted));
        }
        Map<String, long[]> perCall = tokensPerCall(config, yield.basisBatchIds());
        long promptTokens = 0;
        long completionTokens = 0;
        for (var step : calls.entrySet()) {
            long[] tokens = perCall.get(step.getKey());
            promptTokens += step.getValue() * tokens[0];
            completionTokens += step.getValue() * tokens[1];
        }
        var settings = llm.defaults().withModel(config.model()).withPrice(config.price());
        ModelPrice price = config.batchApi() ? llm.batchPriceOf(settings) : llm.priceOf(settings);
        return new Expected(
                config.targetInstructions(),
                config.delivery(),
                yield,
                calls,
                calls.values().stream().mapToLong(Long::longValue).sum(),
                promptTokens,
                completionTokens,
                price.cost(promptTokens, completionTokens),
                price);
    }

    /** The yield of the last completed batches with the same seed set and mode, else the reference's. */
    public Yield yieldOf(BatchConfig config) {
        List<Long> basis = new ArrayList<>();
        double generations = 0;
        double admitted = 0;
        double judged = 0;
        double accepted = 0;
        for (Batch earlier : batches.findByStatusAndSeedSetAndMode(
                BatchStatus.COMPLETED,
                config.seedSet(),
                config.mode(),
                PageRequest.of(0, HISTORY, Sort.by("id").descending()))) {
            Counts counts = counts(earlier.getId());
            if (counts.generations() == 0) {
                continue;
            }
            basis.add(earlier.getId());
            generations += counts.generations();
            admitted += counts.admitted();
            judged += counts.judged();
            accepted += counts.accepted();
        }
        if (basis.isEmpty() || admitted == 0 || accepted == 0) {
            return config.alpaca() ? REFERENCE_ALPACA : REFERENCE;
        }
        return new Yield(
                admitted / generations,
                config.alpaca() ? 1.0 : accepted / judged,
                "the last " + basis.size() + " completed batches with seed set '" + config.seedSet() + "'",
                List.copyOf(basis));
    }

    /**
     * A batch's own step-1 calls answered, instructions admitted (passed the filters and ROUGE-L, those turned away
     * over the target included), judged by step 4 (accepted or rejected there) and accepted so far.
     */
    record Counts(long generations, long admitted, long judged, long accepted) {}

    Counts counts(long batchId) {
        long generations = usage.succeededByStep(batchId).entrySet().stream()
                .filter(e ->
                        e.getKey().equals(BatchRun.STEP_GENERATE) || e.getKey().equals(BatchRun.STEP_ALPACA))
                .mapToLong(e -> e.getValue().calls())
                .sum();
        Map<InstructionStatus, Long> byStatus = instructions.countsByStatus(batchId);
        Map<String, Long> rejected = instructions.rejectionsByReason(batchId);
        long accepted = byStatus.getOrDefault(InstructionStatus.ACCEPTED, 0L);
        long judged = accepted
                + rejected.getOrDefault(RejectReason.NO_VALID_INSTANCES.code(), 0L)
                + rejected.getOrDefault(RejectReason.CONFLICTING_INSTANCES.code(), 0L)
                + rejected.getOrDefault(RejectReason.UNPARSEABLE.code(), 0L);
        long admitted = judged
                + byStatus.getOrDefault(InstructionStatus.CANDIDATE, 0L)
                + rejected.getOrDefault(Admission.OVER_TARGET, 0L);
        return new Counts(generations, admitted, judged, accepted);
    }

    /** Prompt and completion tokens per call of each step: measured on the basis batches, else estimated. */
    private Map<String, long[]> tokensPerCall(BatchConfig config, List<Long> basis) {
        Map<String, long[]> sums = new java.util.HashMap<>();
        for (long id : basis) {
            usage.succeededByStep(id).forEach((step, totals) -> {
                long[] sum = sums.computeIfAbsent(step, s -> new long[3]);
                sum[0] += totals.promptTokens();
                sum[1] += totals.completionTokens();
                sum[2] += totals.calls();
            });
        }
        Map<String, long[]> perCall = new java.util.HashMap<>();
        Map<String, String> samples = samplePrompts(config);
        for (String step : TYPICAL_COMPLETION.keySet()) {
            long[] sum = sums.get(step);
            perCall.put(
                    step,
                    sum != null && sum[2] > 0
                            ? new long[] {sum[0] / sum[2], sum[1] / sum[2]}
                            : new long[] {
                                tokensOf(samples.getOrDefault(step, "")),
                                Math.min(TYPICAL_COMPLETION.get(step), config.maxTokens())
                            });
        }
        return perCall;
    }

    /** A prompt of each step as this batch would send it, from its seed set. */
    private Map<String, String> samplePrompts(BatchConfig config) {
        List<SeedTaskLine> seeds = seedSets.tasks(config.seedSet());
        if (seeds.isEmpty()) {
            return Map.of();
        }
        List<SeedTaskLine> shown = seeds.subList(0, Math.min(BatchConfig.PROMPT_INSTRUCTIONS, seeds.size()));
        String instruction = seeds.get(0).instruction();
        return Map.of(
                BatchRun.STEP_GENERATE,
                prompts.instructions(
                        config.language(),
                        shown.stream().map(SeedTaskLine::instruction).toList(),
                        config.classificationOnly()),
                BatchRun.STEP_ALPACA,
                prompts.alpaca(
                        config.language(), shown.subList(0, Math.min(BatchConfig.ALPACA_PROMPT_SEEDS, shown.size()))),
                BatchRun.STEP_CLASSIFY,
                prompts.isClassification(config.language(), instruction),
                BatchRun.STEP_INSTANCES,
                prompts.instances(config.language(), instruction, false));
    }

    /** About 4 characters a token for English text (1.5 for Chinese, which the seed set's language says). */
    private static long tokensOf(String text) {
        boolean cjk = text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
        return Math.round(text.length() / (cjk ? 1.5 : 4.0)) + 20;
    }
}
