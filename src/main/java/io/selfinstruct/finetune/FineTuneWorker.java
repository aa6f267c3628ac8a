package io.selfinstruct.finetune;

import io.selfinstruct.cluster.InstanceId;
import io.selfinstruct.finetune.data.DataSnapshot;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TrainingExamples;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.models.ModelsProperties;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs queued fine-tune jobs one at a time, oldest first, on one thread: DJL's PyTorch engine allows a single
 * gradient collector per JVM, so a service trains one job at a time. Progress (step, metrics, samples) is
 * written to the job row after every step. A job left RUNNING by a crash or a shutdown is queued again at start
 * and resumes from its newest checkpoint. Any failure ends that job FAILED with its reason; the worker goes on.
 */
@Component
public class FineTuneWorker {

    private static final Logger log = LoggerFactory.getLogger(FineTuneWorker.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FineTuneJobRepository jobs;
    private final TrainingExamples examples;
    private final ModelsProperties models;
    private final ModelRoots roots;
    private final Path outputRoot;
    private final Duration pollInterval;
    private final Duration claimTimeout;
    private final String instanceId;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "finetune-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final Set<Long> cancelRequests = ConcurrentHashMap.newKeySet();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile RunClock clock;

    /** When the running job started this run, and at which step, for its ETA. */
    private record RunClock(long jobId, Instant started, int fromStep, int step, int totalSteps) {}

    public FineTuneWorker(
            FineTuneJobRepository jobs,
            TrainingExamples examples,
            ModelsProperties models,
            @Value("${selfinstruct.finetune.output-dir:${selfinstruct.data-dir}/finetune}") Path outputRoot,
            @Value("${selfinstruct.finetune.poll-interval:1s}") Duration pollInterval,
            @Value("${selfinstruct.finetune.claim-timeout:60s}") Duration claimTimeout,
            InstanceId instanceId) {
        this.claimTimeout = claimTimeout;
        this.instanceId = instanceId.id();
        this.jobs = jobs;
        this.examples = examples;
        this.models = models;
        this.roots = new ModelRoots(models.roots());
        this.outputRoot = outputRoot.toAbsolutePath().normalize();
        this.pollInterval = pollInterval;
    }

    public Path outputRoot() {
        return outputRoot;
    }

    public Path uploads() {
        return outputRoot.resolve("uploads");
    }

    public Path jobDirectory(long id) {
        return outputRoot.resolve("job-" + id);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        Thread worker = new Thread(this::loop, "finetune-worker");
        worker.setDaemon(true);
        thread = worker;
        worker.start();
    }

    /** Asks the running job to stop after its current step; returns whether that job is running here. */
    public boolean requestCancel(long id) {
        RunClock running = clock;
        cancelRequests.add(id);
        // the instance running the job may be another one: it reads the request from the job's row
        jobs.requestCancel(id);
        return running != null && running.jobId() == id;
    }

    /** Seconds left for a running job, from this run's pace; empty before its first step. */
    public OptionalLong etaSeconds(long id) {
        RunClock running = clock;
        if (running == null || running.jobId() != id || running.step() <= running.fromStep()) {
            return OptionalLong.empty();
        }
        double perStep = Duration.between(running.started(), Instant.now()).toMillis()
                / 1000.0
                / (running.step() - running.fromStep());
        return OptionalLong.of(Math.round(perStep * (running.totalSteps() - running.step())));
    }

    @PreDestroy
    public void stop() throws InterruptedException {
        stopping = true;
        // no interrupt: one landing inside JDBC or a checkpoint write could break the database or the file; the
        // running job sees stopRequested() after its step and the idle loop is woken
        synchronized (wake) {
            wake.notifyAll();
        }
        Thread worker = thread;
        if (worker != null) {
            worker.join(30_000);
        }
        heartbeats.shutdown();
    }

    /**
     * Claims jobs like batches: one conditional update takes a queued job, this instance's own running one (after
     * a restart) or one whose claim went stale (its instance died); a heartbeat keeps the claim while it runs.
     */
    private void loop() {
        while (!stopping) {
            Optional<Long> claimed = claimNext();
            if (claimed.isEmpty()) {
                try {
                    synchronized (wake) {
                        if (!stopping) {
                            wake.wait(pollInterval.toMillis());
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            jobs.findById(claimed.get()).ifPresent(this::run);
        }
    }

    private Optional<Long> claimNext() {
        Instant now = Instant.now();
        Instant stale = now.minus(claimTimeout);
        for (long id : jobs.claimable(instanceId, stale)) {
            if (jobs.claim(id, instanceId, now, stale) == 1) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    private void run(FineTuneJob job) {
        long id = job.getId();
        if (job.getStartedAt() == null) {
            job.setStartedAt(Instant.now());
        }
        if (job.getStep() > 0) {
            log.info("fine-tune job {} was interrupted at step {}; resuming it", id, job.getStep());
        }
        job = jobs.save(job);
        AtomicBoolean lost = new AtomicBoolean();
        long beat = Math.max(100, claimTimeout.toMillis() / 4);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleWithFixedDelay(
                () -> {
                    if (jobs.heartbeat(id, instanceId, Instant.now()) == 0 && !lost.getAndSet(true)) {
                        log.warn("fine-tune job {}: another instance has taken it over; stopping here", id);
                    }
                },
                beat,
                beat,
                TimeUnit.MILLISECONDS);
        try {
            FineTuneSpec spec =
                    JSON.readValue(job.getConfigJson(), FineTuneRequest.class).toSpec(roots, uploads());
            List<Example> examples = snapshot(job, spec).examples();
            Progress progress = new Progress(job, lost);
            FineTuneRun.Result result =
                    FineTuneRun.execute(spec, examples, jobDirectory(id), models.halfPrecisionOnGpu(), progress);
            job = progress.job;
            if (lost.get()) {
                return;
            }
            if (result.cancelled()) {
                if (!cancelRequests.contains(id) && !jobs.cancelRequested(id)) {
                    log.info(
                            "fine-tune job {} stopped at step {} by shutdown; it resumes at the next start",
                            id,
                            result.step());
                    return;
                }
                job.setStatus(FineTuneStatus.CANCELLED);
            } else {
                job.setOutputDir(result.outputDir().toString());
                job.setStatus(FineTuneStatus.COMPLETED);
            }
        } catch (Exception | OutOfMemoryError e) {
            log.warn("fine-tune job {} failed", id, e);
            job.setStatus(FineTuneStatus.FAILED);
            job.setError(describe(e));
        } finally {
            heartbeat.cancel(false);
            clock = null;
        }
        if (lost.get()) {
            return;
        }
        job.setFinishedAt(Instant.now());
        cancelRequests.remove(id);
        jobs.save(job);
    }

    /**
     * The examples job {@code id} holds out of its training (its validation split, {@code valSetSize} of them), in
     * the split's order: what an evaluation of the tuned model asks, since the model never trained on them.
     */
    public List<HeldOutExample> heldOut(long id) {
        FineTuneJob job = jobs.findById(id).orElseThrow(() -> new NotFoundException("Fine-tune job", id));
        String ids = jobs.snapshotIds(id);
        if (ids == null) {
            throw new InvalidRequestException("fine-tune job " + id + " has not started yet: its data, and so what "
                    + "it holds out, is fixed when it starts");
        }
        FineTuneSpec spec =
                JSON.readValue(job.getConfigJson(), FineTuneRequest.class).toSpec(roots, uploads());
        if (spec.valSetSize() == 0) {
            throw new InvalidRequestException("fine-tune job " + id + " held nothing out (valSetSize 0); evaluate it "
                    + "on a seed set or a pool filter, or train with a valSetSize");
        }
        DataSnapshot snapshot;
        try {
            snapshot = examples.restore(DataSnapshot.decodeIds(ids), job.getSnapshotSha256(), spec.dataFile());
        } catch (IllegalStateException e) {
            throw new InvalidRequestException("fine-tune job " + id + ": " + e.getMessage());
        }
        List<HeldOutExample> heldOut = new ArrayList<>();
        for (int position : FineTuneRun.heldOut(spec, snapshot.examples())) {
            heldOut.add(new HeldOutExample(
                    snapshot.ids().get(position),
                    spec.dataFile() == null,
                    snapshot.examples().get(position)));
        }
        return heldOut;
    }

    /**
     * The job's data: its snapshot read again when it has one (a resume, or a takeover), else taken now from the pool
     * or data file and stored with the job.
     */
    private DataSnapshot snapshot(FineTuneJob job, FineTuneSpec spec) {
        long id = job.getId();
        String ids = jobs.snapshotIds(id);
        if (ids != null) {
            DataSnapshot snapshot =
                    examples.restore(DataSnapshot.decodeIds(ids), job.getSnapshotSha256(), spec.dataFile());
            log.info("fine-tune job {} trains on its snapshot of {} examples", id, snapshot.size());
            return snapshot;
        }
        DataSnapshot snapshot = examples.take(spec.data(), spec.dataFile());
        if (snapshot.size() == 0) {
            throw new IllegalArgumentException("no training examples match the job's data selection");
        }
        jobs.saveSnapshot(id, snapshot.encodedIds(), snapshot.size(), snapshot.sha256());
        log.info("fine-tune job {}: data snapshot of {} examples, sha256 {}", id, snapshot.size(), snapshot.sha256());
        return snapshot;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof OutOfMemoryError
                || message.toLowerCase(java.util.Locale.ROOT).contains("out of memory")) {
            return "out of memory: " + message;
        }
        return message;
    }

    /** Writes a running job's progress to its row. */
    private final class Progress implements FineTuneRun.Listener {
        private FineTuneJob job;
        private final ArrayNode metrics;
        private final ArrayNode samples;

        private final AtomicBoolean lost;
        private long lastCancelCheck;

        Progress(FineTuneJob job, AtomicBoolean lost) {
            this.job = job;
            this.lost = lost;
            this.metrics = (ArrayNode) JSON.readTree(job.getMetricsJson());
            this.samples = (ArrayNode) JSON.readTree(job.getSamplesJson());
        }

        @Override
        public void onStart(int totalSteps, int resumedFrom, int trainExamples, int validationExamples) {
            // steps after the checkpoint are run again: drop what they reported before the interruption
            dropAfter(metrics, resumedFrom);
            dropAfter(samples, resumedFrom);
            job.setTotalSteps(totalSteps);
            job.setStep(resumedFrom);
            if (resumedFrom > 0) {
                job.setResumedFromStep(resumedFrom);
                log.info("fine-tune job {} resumes from checkpoint-{}", job.getId(), resumedFrom);
            }
            clock = new RunClock(job.getId(), Instant.now(), resumedFrom, resumedFrom, totalSteps);
            save();
        }

        @Override
        public void onStep(StepMetrics m, int totalSteps) {
            ObjectNode node = metrics.addObject();
            node.put("step", m.step());
            node.put("loss", m.loss());
            if (m.evalLoss() == null) {
                node.putNull("evalLoss");
            } else {
                node.put("evalLoss", m.evalLoss());
                node.put("evalAccuracy", m.evalAccuracy());
            }
            node.put("lr", m.lr());
            node.put("gradNorm", m.gradNorm());
            node.put("tokensPerSecond", m.tokensPerSecond());
            job.setStep(m.step());
            RunClock running = clock;
            clock = new RunClock(job.getId(), running.started(), running.fromStep(), m.step(), totalSteps);
            save();
        }

        @Override
        public void onSamples(List<FineTuneRun.Sample> generated) {
            generated.forEach(s -> samples.add(JSON.valueToTree(s)));
            save();
        }

        @Override
        public boolean stopRequested() {
            if (stopping || lost.get() || cancelRequests.contains(job.getId())) {
                return true;
            }
            // a cancel asked on another instance: read from the row, at most every half second
            long now = System.nanoTime();
            if (now - lastCancelCheck > 500_000_000L) {
                lastCancelCheck = now;
                return jobs.cancelRequested(job.getId());
            }
            return false;
        }

        private void save() {
            job.setMetricsJson(JSON.writeValueAsString(metrics));
            job.setSamplesJson(JSON.writeValueAsString(samples));
            if (!lost.get()) {
                job = jobs.save(job);
            }
        }

        private static void dropAfter(ArrayNode series, int step) {
            for (int i = series.size() - 1; i >= 0; i--) {
                JsonNode item = series.get(i);
                if (item.path("step").asInt() > step) {
                    series.remove(i);
                }
            }
        }
    }
}
