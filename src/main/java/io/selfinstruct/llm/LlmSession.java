package io.selfinstruct.llm;

import com.openai.errors.OpenAIException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A batch's connection to its LLM: one blocking {@link #call} that many threads use at once. It holds the
 * batch's concurrency limit, rate limits and budget; retries transient failures with backoff; and stores
 * every call as an {@link LlmCall} before handing its result back. Close it when the batch ends.
 */
public final class LlmSession implements AutoCloseable {

    /** Worst-case completion length assumed for budget and token limits when a request sets no max_tokens. */
    static final int UNBOUNDED_COMPLETION_ESTIMATE = 1024;

    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    private final LlmSettings settings;
    private final String apiKey;
    private final OpenAiEndpoint endpoint;
    private final LlmCallLog log;
    private final LlmMetrics metrics;
    private final ModelPrice price;
    private final CostBudget budget;
    private static final long STOP_CHECK_MILLIS = 50;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Semaphore slots;
    private final TokenBucket requestRate;
    private final TokenBucket tokenRate;
    private final long systemPromptTokens;
    private final String systemPrompt;
    /** Two threads of a batch must not reuse the same earlier answer. */
    private final Object reuseLock = new Object();
    /** After a 429, every thread waits until here (System.nanoTime), not only the one that got it. */
    private final AtomicLong pausedUntil = new AtomicLong(System.nanoTime());

    private volatile LlmException.Fatal fatal;
    private BatchApi batchApi;

    private final LongAdder calls = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final DoubleAdder costUsd = new DoubleAdder();

    LlmSession(
            LlmSettings settings,
            String apiKey,
            String systemPrompt,
            ModelPrice price,
            LlmCallLog log,
            MeterRegistry registry,
            CostBudget budget) {
        this.settings = settings;
        this.apiKey = apiKey;
        this.endpoint = new OpenAiEndpoint(settings, apiKey, systemPrompt, this::isStopped);
        this.log = log;
        this.metrics = new LlmMetrics(registry, settings);
        this.price = price;
        this.budget = budget != null ? budget : new CostBudget(settings.maxCostUsd(), log.spentBy(settings.batchId()));
        this.slots = new Semaphore(settings.concurrency(), true);
        this.requestRate =
                settings.requestsPerMinute() > 0 ? TokenBucket.perMinute(settings.requestsPerMinute()) : null;
        this.tokenRate = settings.tokensPerMinute() > 0 ? TokenBucket.perMinute(settings.tokensPerMinute()) : null;
        this.systemPromptTokens =
                settings.api() == LlmApi.CHAT && !systemPrompt.isEmpty() ? estimateTokens(systemPrompt) : 0;
        this.systemPrompt = systemPrompt;
    }

    /**
     * Makes one call, or answers it from the database when its request key already succeeded, or (with
     * {@code reuseAnswers}) from an earlier batch's call of the identical request, at no cost.
     *
     * @throws LlmException.Fatal            the server refused key, model, endpoint or request: end the batch
     * @throws LlmException.BudgetReached    the call could pass {@code maxCostUsd}; nothing was sent
     * @throws LlmException.RetriesExhausted every attempt failed with a transient error
     * @throws LlmException.Cancelled        the session was stopped ({@link #stop()}) or the thread interrupted
     * @throws LlmException.FormatRefused   the request had a response format and the server answered 400 to it
     * @throws LlmException.Deferred         a Batch API session has no stored answer: the request waits for a wave
     */
    public LlmResult call(LlmRequest request) {
        LlmCall row = log.rowFor(
                settings.batchId(), request, settings.model(), RequestFingerprint.of(settings, systemPrompt, request));
        Optional<LlmResult> stored = log.replay(row);
        if (stored.isPresent()) {
            metrics.call("replayed");
            return stored.get();
        }
        if (settings.reuseAnswers()) {
            synchronized (reuseLock) {
                Optional<LlmResult> reused = log.reuse(row);
                if (reused.isPresent()) {
                    metrics.call("reused");
                    return reused.get();
                }
            }
        }
        if (batchApi != null) {
            if (LlmCallLog.FAILED.equals(row.getStatus()) && row.getAttempts() >= settings.maxAttempts()) {
                throw new LlmException.RetriesExhausted(
                        null, "no answer after " + row.getAttempts() + " Batch API waves: " + row.getError(), null);
            }
            throw new LlmException.Deferred(request);
        }
        throwIfFatal();
        try {
            while (!slots.tryAcquire(STOP_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                if (isStopped()) {
                    throw new LlmException.Cancelled("stopped while waiting for a free slot");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException.Cancelled("interrupted while waiting for a free slot");
        }
        try {
            throwIfFatal();
            Sampling sampling = request.sampling();
            long promptEstimate = estimateTokens(request.prompt()) + systemPromptTokens;
            long completionEstimate =
                    (long) (sampling.maxTokens() == null ? UNBOUNDED_COMPLETION_ESTIMATE : sampling.maxTokens())
                            * sampling.choices();
            double worstCase = price.cost(promptEstimate, completionEstimate);
            try {
                budget.reserve(worstCase);
            } catch (LlmException.BudgetReached e) {
                metrics.call("budget_reached");
                throw e;
            }
            LlmResult result = null;
            try {
                result = attempt(row, request, promptEstimate + completionEstimate);
                return result;
            } finally {
                budget.settle(worstCase, result == null ? 0 : result.costUsd());
            }
        } finally {
            slots.release();
        }
    }

    private LlmResult attempt(LlmCall row, LlmRequest request, long tokenEstimate) {
        int attempts = 0;
        int malformed = 0;
        while (true) {
            try {
                waitForTurn(tokenEstimate);
            } catch (InterruptedException e) {
                throw cancelled(row, attempts, 0);
            }
            if (fatal != null && attempts > 0) {
                // another thread learnt that the batch cannot go on: stop retrying, keep what was tried
                log.fail(row, attempts, 0, fatal.getMessage());
                metrics.call("failed");
                throwIfFatal();
            }
            attempts++;
            requests.increment();
            long start = System.nanoTime();
            OpenAiEndpoint.Reply reply;
            try {
                reply = endpoint.complete(request);
            } catch (OpenAiEndpoint.Aborted e) {
                throw cancelled(row, attempts, elapsed(start, true));
            } catch (OpenAIException | Failure.MalformedReply e) {
                long latencyMs = elapsed(start, true);
                if (Thread.currentThread().isInterrupted() || isStopped()) {
                    throw cancelled(row, attempts, latencyMs);
                }
                if (tokenRate != null) {
                    tokenRate.refund(tokenEstimate);
                }
                Failure failure = Failure.of(e);
                metrics.error(failure.kind());
                if (failure.kind() == FailureKind.BAD_REQUEST && request.responseFormat() != null) {
                    String message = scrub(settings.baseUrl() + " refused response_format " + describe(failure));
                    log.fail(row, attempts, latencyMs, message);
                    metrics.call("failed");
                    throw new LlmException.FormatRefused(message, e);
                }
                if (!failure.kind().retryable()) {
                    fatal = new LlmException.Fatal(failure.kind(), scrub(failure.fatalMessage(settings)), e);
                    log.fail(row, attempts, latencyMs, fatal.getMessage());
                    metrics.call("failed");
                    throw fatal;
                }
                malformed += failure.kind() == FailureKind.MALFORMED ? 1 : 0;
                if (attempts >= settings.maxAttempts() || malformed >= settings.maxMalformedAttempts()) {
                    String message = scrub("no usable reply from " + settings.baseUrl() + " after " + attempts
                            + " attempts; the last failed with " + describe(failure));
                    log.fail(row, attempts, latencyMs, message);
                    metrics.call("failed");
                    throw new LlmException.RetriesExhausted(failure.kind(), message, e);
                }
                metrics.retry(failure.kind());
                Duration delay = backoff(attempts, failure.retryAfter());
                if (failure.kind() == FailureKind.RATE_LIMITED) {
                    long until = System.nanoTime() + delay.toNanos();
                    pausedUntil.accumulateAndGet(until, (a, b) -> a - b > 0 ? a : b);
                }
                try {
                    pause(delay.toNanos());
                } catch (InterruptedException interrupted) {
                    throw cancelled(row, attempts, latencyMs);
                }
                continue;
            } catch (RuntimeException e) {
                // not a failure of the server but a fault here; the attempt was still made, so it is stored
                log.fail(row, attempts, elapsed(start, true), scrub(String.valueOf(e)));
                metrics.call("failed");
                throw e;
            }
            long latencyMs = elapsed(start, false);
            return finish(row, reply, attempts, latencyMs, tokenEstimate);
        }
    }

    private LlmResult finish(
            LlmCall row, OpenAiEndpoint.Reply reply, int attempts, long latencyMs, long tokenEstimate) {
        // a server that reports no usage is billed by estimate, so budget and token limits still hold
        long prompt = reply.usage()
                .flatMap(u -> u._promptTokens().asKnown())
                .orElseGet(() -> estimateTokens(row.getPrompt()) + systemPromptTokens);
        long completion = reply.usage()
                .flatMap(u -> u._completionTokens().asKnown())
                .orElseGet(() -> reply.choices().stream()
                        .mapToLong(c -> estimateTokens(c.text()))
                        .sum());
        if (tokenRate != null) {
            tokenRate.refund(tokenEstimate - prompt - completion);
        }
        double cost = price.cost(prompt, completion);
        LlmCall stored = log.succeed(row, reply.choices(), prompt, completion, cost, latencyMs, attempts);
        metrics.call("succeeded");
        metrics.usage(prompt, completion, cost);
        calls.increment();
        promptTokens.add(prompt);
        completionTokens.add(completion);
        costUsd.add(cost);
        return new LlmResult(reply.choices(), prompt, completion, cost, stored.getId(), stored.getAttempts(), false);
    }

    /** Waits out a shared 429 pause, then takes this attempt's share of the rate limits. */
    private void waitForTurn(long tokenEstimate) throws InterruptedException {
        long paused = pausedUntil.get() - System.nanoTime();
        if (paused > 0) {
            pause(paused);
        }
        long wait = requestRate == null ? 0 : requestRate.reserve(1);
        if (tokenRate != null) {
            wait = Math.max(wait, tokenRate.reserve(tokenEstimate));
        }
        pause(wait);
    }

    /** Waits, or ends the wait at once when the session stops (as an {@link InterruptedException}). */
    private void pause(long nanos) throws InterruptedException {
        if (stopped.await(Math.max(0, nanos), TimeUnit.NANOSECONDS)) {
            throw new InterruptedException("the session was stopped");
        }
    }

    /**
     * Stops the session cooperatively: waits end, calls in flight are cancelled in the HTTP client, and every later
     * call raises {@link LlmException.Cancelled}. No thread is interrupted, so none can be caught inside JDBC or
     * file I/O.
     */
    public void stop() {
        stopped.countDown();
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** Exponential backoff with equal jitter; a server's Retry-After wins, with up to 10% added. */
    private Duration backoff(int attempt, Duration retryAfter) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (retryAfter != null) {
            long millis = Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
            return Duration.ofMillis(millis + random.nextLong(millis / 10 + 1));
        }
        long base = settings.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        return Duration.ofMillis(capped / 2 + random.nextLong(capped / 2 + 1));
    }

    /** Stores the interruption on the call, if it sent anything, without letting the interrupt break that write. */
    private LlmException.Cancelled cancelled(LlmCall row, int attempts, long latencyMs) {
        boolean interrupted = Thread.interrupted();
        try {
            if (attempts > 0) {
                log.fail(row, attempts, latencyMs, "cancelled after " + attempts + " attempts");
                metrics.call("failed");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return new LlmException.Cancelled("cancelled after " + attempts + " attempts");
    }

    private void throwIfFatal() {
        LlmException.Fatal seen = fatal;
        if (seen != null) {
            throw new LlmException.Fatal(seen.kind(), seen.getMessage(), seen);
        }
    }

    private long elapsed(long startNanos, boolean failed) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
        metrics.attempt(latency, !failed);
        return latency.toMillis();
    }

    private static String describe(Failure failure) {
        String status = failure.status() > 0 ? "HTTP " + failure.status() + ": " : "";
        return failure.kind().tag() + " (" + status + failure.detail() + ")";
    }

    /** Server messages may quote the key back; it must never reach logs, rows or users. */
    private String scrub(String message) {
        return apiKey.length() < 8 ? message : message.replace(apiKey, "***");
    }

    /** A deliberately high estimate (about 1 token per 3 UTF-8 bytes) for limits that must not be passed. */
    static long estimateTokens(String text) {
        return (text.getBytes(StandardCharsets.UTF_8).length + 2) / 3 + 4;
    }

    void useBatchApi(BatchApi batchApi) {
        this.batchApi = batchApi;
    }

    OpenAiEndpoint endpoint() {
        return endpoint;
    }

    /** The Batch API side of a session opened with {@code batchApi}; null for an online session. */
    public BatchApi batchApi() {
        return batchApi;
    }

    /** Waits, or returns false at once when the session is stopped. */
    public boolean sleep(java.time.Duration duration) {
        try {
            pause(duration.toNanos());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    public LlmSettings settings() {
        return settings;
    }

    /** What the batch has spent, calls of earlier sessions with the same batch id included. */
    public double spentUsd() {
        return budget.spent();
    }

    /** Totals of this session's own calls (replays excluded). */
    public Usage usage() {
        return new Usage(calls.sum(), requests.sum(), promptTokens.sum(), completionTokens.sum(), costUsd.sum());
    }

    @Override
    public void close() {
        endpoint.close();
    }

    /**
     * @param calls    successful calls
     * @param requests HTTP attempts, retries included
     */
    public record Usage(long calls, long requests, long promptTokens, long completionTokens, double costUsd) {}
}
