package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.TrainingExamples;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.models.ModelsProperties;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
            @Value("${selfinstruct.finetune.poll-interval:1s}") Duration pollInterval) {
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
        for (FineTuneJob interrupted : jobs.findByStatusOrderById(FineTuneStatus.RUNNING)) {
            log.info(
                    "fine-tune job {} was interrupted at step {}; queued to resume",
                    interrupted.getId(),
                    interrupted.getStep());
            jobs.transition(interrupted.getId(), FineTuneStatus.RUNNING, FineTuneStatus.QUEUED, Instant.now());
        }
        Thread worker = new Thread(this::loop, "finetune-worker");
        worker.setDaemon(true);
        thread = worker;
        worker.start();
    }

    /** Asks the running job to stop after its current step; returns whether that job is running here. */
    public boolean requestCancel(long id) {
        RunClock running = clock;
        cancelRequests.add(id);
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
    }

    private void loop() {
        while (!stopping) {
            Optional<FineTuneJob> next =
                    jobs.findByStatusOrderById(FineTuneStatus.QUEUED).stream().findFirst();
            if (next.isEmpty()) {
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
            long id = next.get().getId();
            if (jobs.transition(id, FineTuneStatus.QUEUED, FineTuneStatus.RUNNING, Instant.now()) == 1) {
                jobs.findById(id).ifPresent(this::run);
            }
        }
    }

    private void run(FineTuneJob job) {
        long id = job.getId();
        if (job.getStartedAt() == null) {
            job.setStartedAt(Instant.now());
        }
        job.setClaimedBy(ProcessHandle.current().pid() + "@" + hostName());
        job.setHeartbeatAt(Instant.now());
        job = jobs.save(job);
        try {
            FineTuneSpec spec =
                    JSON.readValue(job.getConfigJson(), FineTuneRequest.class).toSpec(roots, uploads());
            List<Example> examples = this.examples.load(spec.data(), spec.dataFile());
            if (examples.isEmpty()) {
                throw new IllegalArgumentException("no training examples match the job's data selection");
            }
            Progress progress = new Progress(job);
            FineTuneRun.Result result =
                    FineTuneRun.execute(spec, examples, jobDirectory(id), models.halfPrecisionOnGpu(), progress);
            job = progress.job;
            if (result.cancelled()) {
                if (!cancelRequests.contains(id)) {
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
            clock = null;
        }
        job.setFinishedAt(Instant.now());
        cancelRequests.remove(id);
        jobs.save(job);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof OutOfMemoryError
                || message.toLowerCase(java.util.Locale.ROOT).contains("out of memory")) {
            return "out of memory: " + message;
        }
        return message;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** Writes a running job's progress to its row. */
    private final class Progress implements FineTuneRun.Listener {
        private FineTuneJob job;
        private final ArrayNode metrics;
        private final ArrayNode samples;

        Progress(FineTuneJob job) {
            this.job = job;
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
            return stopping || cancelRequests.contains(job.getId());
        }

        private void save() {
            job.setMetricsJson(JSON.writeValueAsString(metrics));
            job.setSamplesJson(JSON.writeValueAsString(samples));
            job.setHeartbeatAt(Instant.now());
            job = jobs.save(job);
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
