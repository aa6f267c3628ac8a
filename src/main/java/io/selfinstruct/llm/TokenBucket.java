package io.selfinstruct.llm;

import java.util.function.LongSupplier;

/**
 * A token bucket that hands out reservations: a caller takes its tokens at once and is told how long to wait
 * before using them, so waiting callers queue in arrival order instead of racing for each refill. The level
 * may go below zero: a single request larger than the burst still passes, and the ones after it wait until
 * the debt is refilled, which keeps the average rate exact.
 */
final class TokenBucket {

    private final double tokensPerNano;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double level;
    private long refilledAt;

    /**
     * @param perMinute refill rate
     * @param capacity  the burst allowed after an idle spell
     */
    TokenBucket(double perMinute, double capacity, LongSupplier nanoClock) {
        this.tokensPerNano = perMinute / 60e9;
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.level = capacity;
        this.refilledAt = nanoClock.getAsLong();
    }

    /** A bucket for a per-minute limit whose burst is one second's worth (at least one whole token). */
    static TokenBucket perMinute(double perMinute) {
        return new TokenBucket(perMinute, Math.max(1, perMinute / 60), System::nanoTime);
    }

    /** Takes {@code tokens} and returns the nanoseconds to wait before they may be used. */
    synchronized long reserve(double tokens) {
        refill();
        double needed = Math.min(tokens, capacity);
        long wait = level >= needed ? 0 : (long) Math.ceil((needed - level) / tokensPerNano);
        level -= tokens;
        return wait;
    }

    /** Gives tokens back (a reservation that was too large), or takes more when {@code tokens} is negative. */
    synchronized void refund(double tokens) {
        refill();
        level = Math.min(capacity, level + tokens);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        level = Math.min(capacity, level + (now - refilledAt) * tokensPerNano);
        refilledAt = now;
    }
}
