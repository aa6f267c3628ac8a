package io.selfinstruct.llm;

import java.util.Locale;

/**
 * The batch's spend against its {@code maxCostUsd}. A call reserves its worst-case cost before it is sent
 * and settles the real cost after, so calls in flight together can never pass the limit between them. Sessions
 * that share one (an evaluation's answerers and judge) share its limit.
 */
public final class CostBudget {

    /** Float sums of cents drift by ~1e-17; a limit must not stop the call that lands on it exactly. */
    private static final double TOLERANCE = 1e-9;

    private final Double maxCostUsd;
    private double spent;
    private double reserved;

    /** @param maxCostUsd null: no limit */
    public CostBudget(Double maxCostUsd, double alreadySpent) {
        this.maxCostUsd = maxCostUsd;
        this.spent = alreadySpent;
    }

    /** Holds {@code worstCase} dollars, or refuses the call when they might pass the limit. */
    synchronized void reserve(double worstCase) {
        if (maxCostUsd != null && spent + reserved + worstCase > maxCostUsd + TOLERANCE) {
            throw new LlmException.BudgetReached(String.format(
                    Locale.ROOT,
                    "budget reached: $%.4f spent and $%.4f in flight of $%.4f, and the next call may cost up to $%.4f",
                    spent,
                    reserved,
                    maxCostUsd,
                    worstCase));
        }
        reserved += worstCase;
    }

    /** Replaces a reservation by what the call really cost (0 when it failed). */
    synchronized void settle(double worstCase, double actual) {
        reserved = Math.max(0, reserved - worstCase);
        spent += actual;
    }

    public synchronized double spent() {
        return spent;
    }
}
