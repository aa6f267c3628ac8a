package io.selfinstruct.evaluate;

import io.selfinstruct.llm.LlmException;
import io.selfinstruct.llm.LlmRequest;
import io.selfinstruct.llm.LlmSession;
import io.selfinstruct.llm.Sampling;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's run of an evaluation: for each unfinished item, the answers of A and B, then the judge with A
 * shown first and with B shown first. Each step is skipped when its result is stored; each call has a request key
 * ({@code evaluation:<id>:<position>:<step>}), so a call stored before a crash is replayed, not asked again.
 */
final class EvaluationRun {

    private static final Logger log = LoggerFactory.getLogger(EvaluationRun.class);

    static final String STEP_ANSWER = "evaluation_answer";
    static final String STEP_JUDGE = "evaluation_judge";

    private final long id;
    private final String instanceId;
    private final EvaluationConfig config;
    private final EvaluationStore store;
    private final JudgePrompts prompts;
    private final LlmSession a;
    private final LlmSession b;
    private final LlmSession judge;
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private volatile boolean halted;

    private record Ending(EvaluationStatus status, String reason, String error) {}

    EvaluationRun(
            long id,
            String instanceId,
            EvaluationConfig config,
            EvaluationStore store,
            JudgePrompts prompts,
            LlmSession a,
            LlmSession b,
            LlmSession judge) {
        this.id = id;
        this.instanceId = instanceId;
        this.config = config;
        this.store = store;
        this.prompts = prompts;
        this.a = a;
        this.b = b;
        this.judge = judge;
    }

    static String keyPrefix(long evaluationId) {
        return "evaluation:" + evaluationId + ":";
    }

    void run() {
        try {
            List<EvaluationItem> items = store.unfinishedItems(id);
            ExecutorService workers = Executors.newFixedThreadPool(config.concurrency());
            for (EvaluationItem item : items) {
                workers.submit(() -> evaluate(item));
            }
            workers.shutdown();
            while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                // the workers stop on their own once halted or ended
            }
            if (halted && ending.get() == null) {
                store.end(id, instanceId, null, null, null);
                return;
            }
            Ending end = ending.get();
            if (end == null) {
                int left = store.unfinishedItems(id).size();
                end = left == 0
                        ? new Ending(EvaluationStatus.COMPLETED, null, null)
                        : new Ending(EvaluationStatus.FAILED, null, left + " items have no verdict after retries");
            }
            store.end(id, instanceId, end.status(), end.reason(), end.error());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.end(id, instanceId, null, null, null);
        } catch (RuntimeException e) {
            log.error("Evaluation {} failed", id, e);
            store.end(
                    id,
                    instanceId,
                    EvaluationStatus.FAILED,
                    null,
                    "unexpected error: " + e.getClass().getName());
        } finally {
            a.close();
            b.close();
            judge.close();
        }
    }

    /** Stops the run: calls in flight are cancelled, stored work stays, the claim is released. */
    void halt() {
        halted = true;
        a.stop();
        b.stop();
        judge.stop();
    }

    private void evaluate(EvaluationItem item) {
        if (halted || ending.get() != null) {
            return;
        }
        try {
            String prompt = prompts.answer(item.instruction(), item.input());
            String answerA = item.answerA();
            if (answerA == null) {
                answerA = call(a, STEP_ANSWER, key(item, "a"), prompt);
                store.answer(item.id(), "a", answerA);
            }
            String answerB = item.answerB();
            if (answerB == null) {
                answerB = call(b, STEP_ANSWER, key(item, "b"), prompt);
                store.answer(item.id(), "b", answerB);
            }
            Verdict aFirst = item.verdictAFirst() == null ? null : Verdict.valueOf(item.verdictAFirst());
            if (aFirst == null) {
                String reason = call(
                        judge,
                        STEP_JUDGE,
                        key(item, "judge-a-first"),
                        prompts.judge(item.language(), item.instruction(), item.input(), answerA, answerB));
                aFirst = Verdict.parse(reason);
                store.verdict(item.id(), true, aFirst, reason);
            }
            Verdict bFirst = item.verdictBFirst() == null ? null : Verdict.valueOf(item.verdictBFirst());
            if (bFirst == null) {
                String reason = call(
                        judge,
                        STEP_JUDGE,
                        key(item, "judge-b-first"),
                        prompts.judge(item.language(), item.instruction(), item.input(), answerB, answerA));
                bFirst = Verdict.parse(reason).swapped();
                store.verdict(item.id(), false, bFirst, reason);
            }
            store.outcome(item.id(), Verdict.outcome(aFirst, bFirst));
        } catch (LlmException.BudgetReached e) {
            ending.compareAndSet(null, new Ending(EvaluationStatus.PAUSED, "budget reached", null));
            halt();
        } catch (LlmException.Fatal e) {
            ending.compareAndSet(null, new Ending(EvaluationStatus.FAILED, null, e.getMessage()));
            halt();
        } catch (LlmException.RetriesExhausted e) {
            log.warn("Evaluation {} item {}: {}", id, item.position(), e.getMessage());
        } catch (LlmException.Cancelled e) {
            // halted: the stored steps stay for the next run
        } catch (RuntimeException e) {
            log.error("Evaluation {} item {} failed", id, item.position(), e);
            ending.compareAndSet(
                    null,
                    new Ending(
                            EvaluationStatus.FAILED,
                            null,
                            "unexpected error: " + e.getClass().getName()));
            halt();
        }
    }

    private String key(EvaluationItem item, String step) {
        return keyPrefix(id) + item.position() + ":" + step;
    }

    private String call(LlmSession session, String step, String key, String prompt) {
        Sampling sampling = new Sampling(config.temperature(), null, config.maxTokens(), null, null, null, null, null);
        return session.call(new LlmRequest(step, key, prompt, sampling)).text();
    }
}
