package io.selfinstruct.serve;

import io.selfinstruct.llama.sampling.BatchDecoder;
import io.selfinstruct.llama.sampling.DecodingSequence;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.TokenLogprobs;
import io.selfinstruct.models.LoadedModel;
import io.selfinstruct.models.ModelRuntime;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;

/**
 * The server's decoding: one thread that decodes the sequences of concurrent requests to the same model together,
 * a step at a time ({@link BatchDecoder}: one batched forward pass per step, each sequence with its own KV cache).
 * New sequences join at step boundaries and finished ones leave. Waiting sequences queue first come, first served;
 * the model of the oldest runs until its sequences are done (others of it join meanwhile), then the next model's.
 * The queue is bounded: a request that does not fit is a 429 with Retry-After.
 */
@Slf4j
@Component
class DecodeLoop {

    /**
     * What a request hears from its sequence: tokens as they come (with their log probabilities when asked for),
     * then the generation or an error.
     */
    record Event(long token, TokenLogprobs logprobs, Generation done, RuntimeException error) {}

    /** One sequence of a request (a request with {@code n} choices has n). */
    static final class Pending {
        final Path base;
        final Path adapter;
        final DecodingSequence sequence;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        volatile boolean cancelled;

        Pending(Path base, Path adapter, DecodingSequence sequence) {
            this.base = base;
            this.adapter = adapter;
            this.sequence = sequence;
        }

        boolean sameModel(Pending other) {
            return base.equals(other.base) && Objects.equals(adapter, other.adapter);
        }

        /** Waits for a sequence's end, telling {@code onToken} each token as it comes. */
        Generation await(java.util.function.LongConsumer onToken) {
            return awaitEvents(event -> onToken.accept(event.token()));
        }

        /** Waits for a sequence's end, telling {@code onToken} each token's event as it comes. */
        Generation awaitEvents(java.util.function.Consumer<Event> onToken) {
            try {
                while (true) {
                    Event event = events.take();
                    if (event.error() != null) {
                        throw event.error();
                    }
                    if (event.done() != null) {
                        return event.done();
                    }
                    onToken.accept(event);
                }
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while decoding", e);
            }
        }

        /** Stops it: the loop drops it at the next step boundary. */
        void cancel() {
            cancelled = true;
        }
    }

    private static final int HISTORY = 10_000;

    private final ModelRuntime runtime;
    private final ServeProperties properties;
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private final List<Pending> active = new ArrayList<>();
    private final ConcurrentLinkedDeque<Integer> batchSizes = new ConcurrentLinkedDeque<>();
    private Thread thread;
    private volatile boolean stopped;
    private LoadedModel owner;

    DecodeLoop(ModelRuntime runtime, ServeProperties properties) {
        this.runtime = runtime;
        this.properties = properties;
    }

    /** Queues one sequence per options entry, all or none: a 429 when they do not fit in the queue. */
    synchronized List<Pending> submit(ServedModels.Served model, long[] prompt, List<GenerationOptions> options) {
        if (waiting.size() + options.size() > properties.maxQueued()) {
            throw OpenAiException.busy(waiting.size(), 1);
        }
        List<Pending> queued = new ArrayList<>();
        for (GenerationOptions option : options) {
            Pending[] self = new Pending[1];
            DecodingSequence sequence = new DecodingSequence(
                    prompt,
                    option,
                    ids -> runtime.withModel(
                            model.base(), model.adapter(), l -> l.tokenizer().decode(ids)),
                    token -> self[0].events.add(new Event(token, self[0].sequence.lastLogprobs(), null, null)));
            self[0] = new Pending(model.base(), model.adapter(), sequence);
            queued.add(self[0]);
        }
        waiting.addAll(queued);
        if (thread == null) {
            thread = new Thread(this::run, "serve-decode");
            thread.setDaemon(true);
            thread.start();
        }
        notifyAll();
        return queued;
    }

    /** The sizes of the latest batched forward passes, oldest first (tests and metrics). */
    List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    private void run() {
        while (!stopped) {
            List<Pending> step;
            try {
                step = nextStep();
            } catch (InterruptedException e) {
                return;
            }
            if (step == null) {
                return;
            }
            if (step.isEmpty()) {
                continue;
            }
            Pending first = step.get(0);
            try {
                int size = runtime.withModel(first.base, first.adapter, loaded -> {
                    if (loaded != owner) { // another model was loaded since: the caches went with the old one
                        step.forEach(p -> p.sequence.dropCache());
                        owner = loaded;
                    }
                    return BatchDecoder.step(
                            loaded.model(), step.stream().map(p -> p.sequence).toList());
                });
                if (size > 0) {
                    batchSizes.addLast(size);
                    if (batchSizes.size() > HISTORY) {
                        batchSizes.pollFirst();
                    }
                }
                for (Pending pending : step) {
                    if (pending.sequence.finished()) {
                        pending.events.add(new Event(-1, null, pending.sequence.result(), null));
                    }
                }
            } catch (RuntimeException e) {
                log.warn("decoding failed for {} sequence(s): {}", step.size(), e.toString());
                for (Pending pending : step) {
                    pending.sequence.close();
                    pending.events.add(new Event(-1, null, null, e));
                }
                synchronized (this) {
                    active.removeAll(step);
                }
            }
        }
    }

    /** The sequences of this step: the active ones, joined by waiting ones of the same model, up to maxBatch. */
    private synchronized List<Pending> nextStep() throws InterruptedException {
        active.removeIf(p -> {
            if (p.cancelled || p.sequence.finished()) {
                p.sequence.close();
                return true;
            }
            return false;
        });
        while (active.isEmpty() && waiting.isEmpty() && !stopped) {
            wait();
        }
        if (stopped) {
            return null;
        }
        if (active.isEmpty() && !properties.joinWait().isZero()) {
            wait(properties.joinWait().toMillis()); // let requests that arrive together start together
        }
        Pending model = active.isEmpty() ? waiting.peekFirst() : active.get(0);
        for (var it = waiting.iterator(); it.hasNext() && active.size() < properties.maxBatch(); ) {
            Pending next = it.next();
            if (next.cancelled) {
                it.remove();
            } else if (next.sameModel(model)) {
                it.remove();
                active.add(next);
            }
        }
        return List.copyOf(active);
    }

    @PreDestroy
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }
}
