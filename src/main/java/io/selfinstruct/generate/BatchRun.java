package io.selfinstruct.generate;

import io.selfinstruct.generate.InstanceParser.Example;
import io.selfinstruct.llm.BatchApi;
import io.selfinstruct.llm.LlmException;
import io.selfinstruct.llm.LlmRequest;
import io.selfinstruct.llm.LlmResult;
import io.selfinstruct.llm.LlmSession;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.llm.ProviderBatch;
import io.selfinstruct.llm.Sampling;
import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.Admission.Candidate;
import io.selfinstruct.pool.BatchInstructions;
import io.selfinstruct.pool.Instance;
import io.selfinstruct.pool.Instruction;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.PoolLanguage;
import io.selfinstruct.pool.RejectReason;
import io.selfinstruct.seed.SeedTaskLine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch running in this process: {@code concurrency} workers that each either finish a pending instruction
 * (step 2 classify, step 3 instances, step 4 filter) or ask for new instructions (step 1) while slots are left.
 * All state lives in the database, so a run started after a crash continues where the last one stopped:
 * pending instructions are picked up again, finished LLM calls are replayed from their stored responses, and
 * step-1 responses that were stored but not yet admitted are admitted now.
 */
final class BatchRun implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(BatchRun.class);
    static final String STEP_GENERATE = "generate_instructions";
    static final String STEP_ALPACA = "generate_alpaca";
    static final String STEP_CLASSIFY = "classify";
    static final String STEP_INSTANCES = "generate_instances";
    /** Consecutive failed calls (retries exhausted) after which the batch ends FAILED. */
    static final int MAX_CONSECUTIVE_FAILURES = 8;
    /** JSON costs tokens: room for five instances as objects, with their quotes and keys. */
    static final int STRUCTURED_INSTANCE_TOKENS = 600;
    /** The most requests one provider batch takes (OpenAI: 50,000 per input file). */
    static final int MAX_WAVE_REQUESTS = 50_000;

    private final long batchId;
    private final String instanceId;
    private final BatchConfig config;
    private final BatchStore store;
    private final BatchInstructions instructions;
    private final LlmSession llm;
    private final PromptTemplates prompts;
    private final Admission admission;
    private final Admission.Pool pool;
    private final InstructionFilter filter;
    private final List<SeedTaskLine> seeds;
    private final List<String> machineInstructions;
    private final Random random;

    private final LinkedBlockingQueue<Long> pending = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    /** Accepted plus admitted-but-pending: what the batch has claimed of its target. */
    private final AtomicInteger reserved = new AtomicInteger();

    private final AtomicInteger generating = new AtomicInteger();
    /** Step-1 requests made so far, earlier runs included: with answer reuse, request n's prompt depends on n. */
    private final java.util.concurrent.atomic.AtomicLong generations = new java.util.concurrent.atomic.AtomicLong();

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private volatile ExecutorService workers;
    private final Forecast forecast;
    private final java.time.Duration pollInterval;
    /** Steps 2 and 3 ask for JSON (structured outputs) until the server refuses response_format. */
    private final java.util.concurrent.atomic.AtomicBoolean structured;
    /** Structured answers that were not JSON of the schema (then read as text). */
    private final AtomicInteger structuredParseErrors = new AtomicInteger();

    BatchRun(
            long batchId,
            String instanceId,
            BatchConfig config,
            BatchStore store,
            BatchInstructions instructions,
            LlmSession llm,
            PromptTemplates prompts,
            Admission admission,
            List<SeedTaskLine> seeds,
            Forecast forecast,
            java.time.Duration pollInterval) {
        this.batchId = batchId;
        this.forecast = forecast;
        this.pollInterval = pollInterval;
        this.structured = new java.util.concurrent.atomic.AtomicBoolean(
                config.structuredOutputs() && !store.textFallback(batchId));
        this.instanceId = instanceId;
        this.config = config;
        this.store = store;
        this.instructions = instructions;
        this.llm = llm;
        this.prompts = prompts;
        this.admission = admission;
        this.seeds = seeds;
        this.pool = new Admission.Pool(config.seedSet(), PoolLanguage.of(config.language()), config.rougeThreshold());
        this.filter =
                new InstructionFilter(config.language(), config.minLength(), config.maxLength(), config.blocklist());
        this.machineInstructions =
                new CopyOnWriteArrayList<>(instructions.acceptedMachineInstructions(config.language()));
        this.random = new Random(config.randomSeed() ^ System.nanoTime());
    }

    long batchId() {
        return batchId;
    }

    /** Stops the workers (pause, cancel, lost claim); the status was already set by whoever asked. */
    void halt() {
        finish(new Ending(null, null, null));
    }

    @Override
    public void run() {
        try (llm) {
            if (seeds.isEmpty()) {
                finish(Ending.failed("seed set '" + config.seedSet() + "' has no tasks"));
            } else if (config.batchApi()) {
                resume();
                runInWaves();
            } else {
                resume();
                AtomicInteger threads = new AtomicInteger();
                workers = Executors.newFixedThreadPool(
                        config.concurrency(),
                        task -> new Thread(task, "batch-" + batchId + "-" + threads.incrementAndGet()));
                for (int i = 0; i < config.concurrency(); i++) {
                    workers.submit(this::work);
                }
                workers.shutdown();
                // workers stop by themselves once an ending is set (finish stops the LLM session): no thread is
                // interrupted, since an interrupt inside JDBC or file I/O can break the database connection
                while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                    if (ending.get() != null) {
                        llm.stop();
                    }
                }
                if (ending.get() == null && accepted.get() >= config.targetInstructions()) {
                    finish(new Ending(BatchStatus.COMPLETED, null, null));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Batch {} failed", batchId, e);
            finish(Ending.failed(unexpected(batchId)));
        } finally {
            if (structuredParseErrors.get() > 0) {
                log.info(
                        "Batch {}: {} structured answers were not JSON of their schema and were read as text",
                        batchId,
                        structuredParseErrors.get());
            }
            Ending end = ending.get();
            store.end(
                    batchId,
                    instanceId,
                    end == null ? null : end.status(),
                    end == null ? null : end.reason(),
                    end == null ? null : end.error());
        }
    }

    private void resume() {
        for (LlmUsage.StoredAnswer call : store.unadmittedGenerations(batchId)) {
            admitGenerated(call.response(), call.truncated(), call.callId());
        }
        generations.set(store.generationsMade(batchId));
        List<Long> candidates = instructions.candidateIds(batchId);
        pending.addAll(candidates);
        int acceptedSoFar = instructions.acceptedCount(batchId);
        accepted.set(acceptedSoFar);
        reserved.set(acceptedSoFar + candidates.size());
        log.info(
                "Batch {} running: {} accepted, {} pending, target {}",
                batchId,
                acceptedSoFar,
                candidates.size(),
                config.targetInstructions());
    }

    private void work() {
        while (ending.get() == null
                && !Thread.currentThread().isInterrupted()
                && accepted.get() < config.targetInstructions()) {
            try {
                Long id = pending.poll();
                if (id != null) {
                    complete(id);
                } else if (reserved.get() + generating.get() < config.targetInstructions()) {
                    generating.incrementAndGet();
                    try {
                        generate();
                    } finally {
                        generating.decrementAndGet();
                    }
                } else {
                    id = pending.poll(100, TimeUnit.MILLISECONDS);
                    if (id != null) {
                        complete(id);
                    }
                }
                consecutiveFailures.set(0);
            } catch (InterruptedException | LlmException.Cancelled e) {
                return;
            } catch (LlmException.Fatal e) {
                finish(Ending.failed(e.getMessage()));
            } catch (LlmException.BudgetReached e) {
                finish(new Ending(BatchStatus.PAUSED, "budget reached", null));
            } catch (LlmException.RetriesExhausted e) {
                if (consecutiveFailures.incrementAndGet() >= MAX_CONSECUTIVE_FAILURES) {
                    finish(Ending.failed(MAX_CONSECUTIVE_FAILURES + " calls in a row failed; last: " + e.getMessage()));
                }
            } catch (RuntimeException | Error e) {
                // a database or programming fault: end the batch visibly instead of losing the worker in silence
                log.error("Batch {}: a worker failed", batchId, e);
                finish(Ending.failed(unexpected(batchId)));
                return;
            }
        }
    }

    /** Step 1: one request for new instructions (self-instruct) or whole tasks (Alpaca). */
    private void generate() {
        LlmRequest request = nextGeneration();
        LlmResult result = llm.call(request);
        admitGenerated(result.text(), "length".equals(result.finishReason()), result.llmCallId());
    }

    private LlmRequest nextGeneration() {
        // with answer reuse, a re-run of the batch must ask the same questions in the same order: the draw of the
        // examples shown depends on the random seed and the request's number only
        long number = generations.getAndIncrement();
        Random draw = config.reuseAnswers() ? new Random(config.randomSeed() * 1_000_003L + number) : random;
        String prompt;
        if (config.alpaca()) {
            prompt = prompts.alpaca(config.language(), sample(seeds, BatchConfig.ALPACA_PROMPT_SEEDS, draw));
        } else {
            List<SeedTaskLine> seedPool = config.classificationOnly()
                    ? seeds.stream().filter(SeedTaskLine::isClassification).toList()
                    : seeds;
            List<String> machine = sample(machineInstructions, config.machineInstructionsPerPrompt(), draw);
            List<String> shown = new ArrayList<>(machine);
            sample(seedPool, BatchConfig.PROMPT_INSTRUCTIONS - machine.size(), draw)
                    .forEach(s -> shown.add(s.instruction()));
            Collections.shuffle(shown, draw);
            prompt = prompts.instructions(config.language(), shown, config.classificationOnly());
        }
        String step = config.alpaca() ? STEP_ALPACA : STEP_GENERATE;
        return new LlmRequest(step, batchId + ":gen:" + UUID.randomUUID(), prompt, generationSampling());
    }

    private Sampling generationSampling() {
        boolean chat = config.api().equals("chat");
        // a blank line ends the list in the reference; chat models put one after their lead-in, so only the item
        // number stops them
        List<String> stop = config.alpaca()
                ? (chat ? List.of("\n20.", "20.") : List.of("\n20", "20.", "20 ."))
                : (chat ? List.of("\n16.", "16.") : List.of("\n\n", "\n16", "16.", "16 ."));
        return new Sampling(
                config.temperature(),
                config.topP(),
                config.maxTokens(),
                stop,
                config.presencePenalty(),
                config.frequencyPenalty(),
                null,
                null);
    }

    /**
     * Batch API delivery: the steps run as in {@link #work}, but every call without a stored answer is deferred to
     * the next wave. A wave is submitted, polled until the provider batch ends, and ingested; then the steps run
     * again over what came back. One wave is in flight at a time, and the next is planned only from stored state,
     * so a restart continues with the wave in flight instead of planning one again.
     */
    private void runInWaves() {
        BatchApi api = llm.batchApi();
        try {
            while (ending.get() == null && accepted.get() < config.targetInstructions()) {
                Optional<ProviderBatch> open = api.open();
                if (open.isPresent()) {
                    ProviderBatch wave = api.advance(open.get());
                    if (wave.getState() != ProviderBatch.State.INGESTED) {
                        if (!llm.sleep(pollInterval)) {
                            return;
                        }
                        continue;
                    }
                    for (LlmUsage.StoredAnswer call : store.unadmittedGenerations(batchId)) {
                        admitGenerated(call.response(), call.truncated(), call.callId());
                    }
                    continue;
                }
                List<LlmRequest> next = nextWave();
                if (accepted.get() >= config.targetInstructions()) {
                    break;
                }
                if (next.isEmpty()) {
                    finish(Ending.failed("no request is left to send although the batch is short of its target; "
                            + "the failed calls are stored with their errors"));
                    break;
                }
                if (overBudget(api, next)) {
                    finish(new Ending(BatchStatus.PAUSED, "budget reached", null));
                    break;
                }
                ProviderBatch wave = api.prepare(next);
                log.info("Batch {}: wave {} with {} requests", batchId, wave.getWave(), next.size());
            }
            if (ending.get() == null && accepted.get() >= config.targetInstructions()) {
                finish(new Ending(BatchStatus.COMPLETED, null, null));
            }
        } catch (LlmException.Fatal e) {
            finish(Ending.failed(e.getMessage()));
        }
    }

    /**
     * The requests of the next wave: steps 2 and 3 of every pending instruction that has no stored answer, step-1
     * requests of earlier waves that got none (their custom_ids again), and as many new step-1 requests as the
     * expected yield says the target still needs.
     */
    private List<LlmRequest> nextWave() {
        List<LlmRequest> wave = new ArrayList<>();
        int exhausted = 0;
        for (int i = pending.size(); i > 0; i--) {
            Long id = pending.poll();
            if (id == null) {
                break;
            }
            try {
                complete(id);
            } catch (LlmException.Deferred d) {
                wave.add(d.request());
                pending.add(id);
            } catch (LlmException.RetriesExhausted e) {
                pending.remove(id);
                exhausted++;
            }
        }
        if (exhausted > 0) {
            log.warn(
                    "Batch {}: {} instructions got no answer in {} waves and wait for a resume",
                    batchId,
                    exhausted,
                    llm.settings().maxAttempts());
        }
        int asked = 0;
        for (LlmUsage.UnansweredCall call : store.unansweredGenerations(batchId)) {
            if (call.attempts() < llm.settings().maxAttempts()) {
                wave.add(new LlmRequest(
                        config.alpaca() ? STEP_ALPACA : STEP_GENERATE,
                        call.requestKey(),
                        call.prompt(),
                        generationSampling()));
                asked++;
            }
        }
        for (int i = newGenerations(asked); i > 0; i--) {
            LlmRequest request = nextGeneration();
            try {
                LlmResult reused = llm.call(request);
                admitGenerated(reused.text(), "length".equals(reused.finishReason()), reused.llmCallId());
            } catch (LlmException.Deferred d) {
                wave.add(d.request());
            }
        }
        return wave;
    }

    /**
     * New step-1 requests for this wave: what the target still lacks after the pending instructions (at their
     * expected step-4 pass rate) and the step-1 requests asked again, divided by the expected accepted yield of one
     * request, rounded up. The yield is this batch's own once it has answers, else the forecast's (earlier batches
     * with the same seed set, else the reference's). So the first wave aims at the whole target, and each later one
     * at the rest that step 4 and the filters left: a few waves, and an overshoot of about one request's yield,
     * which admission turns away (over_target) rather than paying steps 2 and 3 for it.
     */
    private int newGenerations(int askedAgain) {
        Forecast.Yield yield = ownYield();
        double expected = accepted.get()
                + pending.size() * yield.passRate()
                + askedAgain * yield.admittedPerCall() * yield.passRate();
        double missing = config.targetInstructions() - expected;
        if (missing <= 0) {
            return 0;
        }
        return (int) Math.min(MAX_WAVE_REQUESTS, Math.max(1, Math.ceil(yield.callsFor(missing))));
    }

    private Forecast.Yield ownYield() {
        Forecast.Yield prior = forecast.yieldOf(config);
        Forecast.Counts own = forecast.counts(batchId);
        if (own.generations() == 0 || own.admitted() == 0) {
            return prior;
        }
        double admittedPerCall = (double) own.admitted() / own.generations();
        // a pass rate measured on a handful of instructions says little: keep the prior until step 4 judged five
        double passRate = config.alpaca() || own.judged() < 5 || own.accepted() == 0
                ? prior.passRate()
                : (double) own.accepted() / own.judged();
        return new Forecast.Yield(admittedPerCall, passRate, "this batch", List.of(batchId));
    }

    /** A wave whose every request could cost its most would pass the budget: stop before sending it. */
    private boolean overBudget(BatchApi api, List<LlmRequest> wave) {
        if (config.maxCostUsd() == null) {
            return false;
        }
        double worstCase = 0;
        for (LlmRequest request : wave) {
            Integer maxTokens = request.sampling().maxTokens();
            worstCase += api.price().cost(request.prompt().length() / 3 + 4, maxTokens == null ? 1024 : maxTokens);
        }
        double spent = store.spent(batchId);
        if (spent + worstCase <= config.maxCostUsd()) {
            return false;
        }
        log.info(
                "Batch {}: budget reached: ${} spent of ${}, and the next wave may cost up to ${}",
                batchId,
                spent,
                config.maxCostUsd(),
                worstCase);
        return true;
    }

    private void admitGenerated(String response, boolean truncated, long llmCallId) {
        List<Candidate> candidates = new ArrayList<>();
        if (config.alpaca()) {
            for (AlpacaBlockParser.Task task :
                    AlpacaBlockParser.parse(response, truncated).tasks()) {
                String reason =
                        filter.check(task.instruction()).map(RejectReason::code).orElse(null);
                if (reason == null) {
                    var instances = InstanceFilter.apply(List.of(new Example(task.input(), task.output())), 1, random);
                    // one instance per task: its own reason says more than "no valid instances"
                    reason = !instances.dropped().isEmpty()
                            ? instances.dropped().get(0).reason().code()
                            : instances.taskRejection() == null
                                    ? null
                                    : instances.taskRejection().code();
                }
                candidates.add(new Candidate(
                        task.instruction(), reason, null, List.of(new Candidate.Example(task.input(), task.output()))));
            }
        } else {
            var parsed = InstructionListParser.parse(response, truncated, config.capitalize());
            for (String instruction : parsed.instructions()) {
                candidates.add(new Candidate(
                        instruction,
                        filter.check(instruction).map(RejectReason::code).orElse(null),
                        null,
                        null));
            }
            if (parsed.truncated() != null) {
                candidates.add(new Candidate(parsed.truncated(), RejectReason.TRUNCATED.code(), null, null));
            }
        }
        InstructionStatus admittedAs = config.alpaca() ? InstructionStatus.ACCEPTED : InstructionStatus.CANDIDATE;
        synchronized (this) {
            int slots = Math.max(0, config.targetInstructions() - reserved.get());
            var outcome = admission.admit(pool, batchId, llmCallId, candidates, slots, admittedAs);
            reserved.addAndGet(outcome.admitted().size());
            if (config.alpaca()) {
                accepted.addAndGet(outcome.admitted().size());
                outcome.admitted().forEach(i -> machineInstructions.add(i.getText()));
            } else {
                outcome.admitted().forEach(i -> pending.add(i.getId()));
            }
        }
    }

    /** Steps 2 to 4 for one admitted instruction. */
    private void complete(long instructionId) {
        Instruction instruction = instructions.instruction(instructionId);
        if (instruction.getStatus() != InstructionStatus.CANDIDATE) {
            return;
        }
        try {
            Boolean classification = instruction.getClassification();
            if (classification == null && config.classificationOnly()) {
                classification = true;
                instructions.setClassification(instructionId, true);
            } else if (classification == null) {
                classification = classify(instruction);
                instructions.setClassification(instructionId, classification);
            }
            List<Example> examples = instancesOf(instruction, classification);
            var filtered = InstanceFilter.apply(
                    examples,
                    config.maxInstancesPerInstruction(),
                    new Random(config.randomSeed() * 31 + instructionId));
            List<Instance> rows = new ArrayList<>();
            int position = 0;
            for (Example kept : filtered.kept()) {
                rows.add(new Instance(
                        instructionId, kept.input(), kept.output(), InstructionStatus.ACCEPTED, position++));
            }
            for (InstanceFilter.Dropped dropped : filtered.dropped()) {
                Instance row = new Instance(
                        instructionId,
                        dropped.example().input(),
                        dropped.example().output(),
                        InstructionStatus.REJECTED,
                        position++);
                row.reject(dropped.reason().code());
                rows.add(row);
            }
            String rejection = examples.isEmpty()
                    ? RejectReason.UNPARSEABLE.code()
                    : filtered.taskRejection() == null
                            ? null
                            : filtered.taskRejection().code();
            instructions.finishInstruction(instructionId, rows, rejection);
            if (rejection == null) {
                accepted.incrementAndGet();
                machineInstructions.add(instruction.getText());
            } else {
                reserved.decrementAndGet();
            }
        } catch (LlmException.RetriesExhausted e) {
            pending.add(instructionId);
            throw e;
        }
    }

    /** Step 2, as a JSON object while the server takes response_format, else as the reference's Yes/No. */
    private boolean classify(Instruction instruction) {
        if (structured.get()) {
            try {
                LlmResult answer = llm.call(new LlmRequest(
                        STEP_CLASSIFY,
                        batchId + ":cls:json:" + instruction.getId(),
                        prompts.structuredIsClassification(config.language(), instruction.getText()),
                        new Sampling(0.0, 0.0, 20, null, null, null, null, null),
                        prompts.classificationFormat()));
                Optional<Boolean> parsed = StructuredAnswers.classification(answer.text());
                if (parsed.isPresent()) {
                    return parsed.get();
                }
                structuredParseErrors.incrementAndGet();
                return ClassificationAnswer.isYes(answer.text());
            } catch (LlmException.FormatRefused e) {
                fallBackToText(e);
            }
        }
        LlmResult answer = llm.call(new LlmRequest(
                STEP_CLASSIFY,
                batchId + ":cls:" + instruction.getId(),
                prompts.isClassification(config.language(), instruction.getText()),
                new Sampling(0.0, 0.0, 3, List.of("\n", "Task"), null, null, null, null)));
        return ClassificationAnswer.isYes(answer.text());
    }

    /**
     * Step 3, as a JSON object of instances while the server takes response_format (an answer that is not one is
     * read with the text parser), else with the reference's prompt and parser.
     */
    private List<Example> instancesOf(Instruction instruction, boolean classification) {
        if (structured.get()) {
            try {
                LlmResult response = llm.call(new LlmRequest(
                        STEP_INSTANCES,
                        batchId + ":inst:json:" + instruction.getId(),
                        prompts.structuredInstances(config.language(), instruction.getText(), classification),
                        new Sampling(0.0, 0.0, STRUCTURED_INSTANCE_TOKENS, null, null, null, null, null),
                        prompts.instancesFormat()));
                Optional<List<Example>> parsed = StructuredAnswers.instances(response.text());
                if (parsed.isPresent()) {
                    return parsed.get();
                }
                structuredParseErrors.incrementAndGet();
                return InstanceParser.parse(response.text(), classification, "length".equals(response.finishReason()));
            } catch (LlmException.FormatRefused e) {
                fallBackToText(e);
            }
        }
        LlmResult response = llm.call(new LlmRequest(
                STEP_INSTANCES,
                batchId + ":inst:" + instruction.getId(),
                prompts.instances(config.language(), instruction.getText(), classification),
                new Sampling(
                        0.0, 0.0, classification ? 300 : 350, List.of("Example 6", "Task:"), 1.5, null, null, null)));
        return InstanceParser.parse(response.text(), classification, "length".equals(response.finishReason()));
    }

    /** The server does not take response_format: the text prompts for the rest of the batch, said once. */
    private void fallBackToText(LlmException.FormatRefused e) {
        if (structured.compareAndSet(true, false)) {
            log.warn(
                    "Batch {}: {}; steps 2 and 3 use the text prompts and parsers for the rest of the batch",
                    batchId,
                    e.getMessage());
            store.useTextFallback(batchId);
        }
    }

    private static <T> List<T> sample(List<T> from, int count, Random random) {
        if (count <= 0 || from.isEmpty()) {
            return List.of();
        }
        if (from.size() <= count) {
            return new ArrayList<>(from);
        }
        List<T> picked = new ArrayList<>(count);
        var chosen = new java.util.HashSet<Integer>();
        while (picked.size() < count) {
            int i = random.nextInt(from.size());
            if (chosen.add(i)) {
                picked.add(from.get(i));
            }
        }
        return picked;
    }

    /** What users read when the service itself failed; the log has the stack trace, never the response. */
    static String unexpected(long batchId) {
        return "the batch stopped on an unexpected error in the service (the server log has the details under "
                + "batch " + batchId + "); resume it once the cause is fixed";
    }

    private void finish(Ending end) {
        if (ending.compareAndSet(null, end)) {
            llm.stop();
        }
    }

    /** How the run ends; a null status means someone else already set it (pause, cancel). */
    private record Ending(BatchStatus status, String reason, String error) {
        static Ending failed(String error) {
            return new Ending(BatchStatus.FAILED, null, error);
        }
    }
}
