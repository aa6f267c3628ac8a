package io.selfinstruct.generate;

import io.selfinstruct.generate.InstanceParser.Example;
import io.selfinstruct.llm.LlmException;
import io.selfinstruct.llm.LlmRequest;
import io.selfinstruct.llm.LlmResult;
import io.selfinstruct.llm.LlmSession;
import io.selfinstruct.llm.LlmUsage;
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

    BatchRun(
            long batchId,
            String instanceId,
            BatchConfig config,
            BatchStore store,
            BatchInstructions instructions,
            LlmSession llm,
            PromptTemplates prompts,
            Admission admission,
            List<SeedTaskLine> seeds) {
        this.batchId = batchId;
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
        // with answer reuse, a re-run of the batch must ask the same questions in the same order: the draw of the
        // examples shown depends on the random seed and the request's number only
        long number = generations.getAndIncrement();
        Random draw = config.reuseAnswers() ? new Random(config.randomSeed() * 1_000_003L + number) : random;
        String prompt;
        Sampling sampling;
        boolean chat = config.api().equals("chat");
        if (config.alpaca()) {
            prompt = prompts.alpaca(config.language(), sample(seeds, BatchConfig.ALPACA_PROMPT_SEEDS, draw));
            sampling = new Sampling(
                    config.temperature(),
                    config.topP(),
                    config.maxTokens(),
                    chat ? List.of("\n20.", "20.") : List.of("\n20", "20.", "20 ."),
                    config.presencePenalty(),
                    config.frequencyPenalty(),
                    null,
                    null);
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
            // a blank line ends the list in the reference; chat models put one after their lead-in, so only
            // the item number stops them
            sampling = new Sampling(
                    config.temperature(),
                    config.topP(),
                    config.maxTokens(),
                    chat ? List.of("\n16.", "16.") : List.of("\n\n", "\n16", "16.", "16 ."),
                    config.presencePenalty(),
                    config.frequencyPenalty(),
                    null,
                    null);
        }
        String step = config.alpaca() ? STEP_ALPACA : STEP_GENERATE;
        LlmResult result = llm.call(new LlmRequest(step, batchId + ":gen:" + UUID.randomUUID(), prompt, sampling));
        admitGenerated(result.text(), "length".equals(result.finishReason()), result.llmCallId());
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
                LlmResult answer = llm.call(new LlmRequest(
                        STEP_CLASSIFY,
                        batchId + ":cls:" + instructionId,
                        prompts.isClassification(config.language(), instruction.getText()),
                        new Sampling(0.0, 0.0, 3, List.of("\n", "Task"), null, null, null, null)));
                classification = ClassificationAnswer.isYes(answer.text());
                instructions.setClassification(instructionId, classification);
            }
            LlmResult response = llm.call(new LlmRequest(
                    STEP_INSTANCES,
                    batchId + ":inst:" + instructionId,
                    prompts.instances(config.language(), instruction.getText(), classification),
                    new Sampling(
                            0.0,
                            0.0,
                            classification ? 300 : 350,
                            List.of("Example 6", "Task:"),
                            1.5,
                            null,
                            null,
                            null)));
            List<Example> examples =
                    InstanceParser.parse(response.text(), classification, "length".equals(response.finishReason()));
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
            String rejection = filtered.taskRejection() == null
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
