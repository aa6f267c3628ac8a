package io.selfinstruct.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    final AtomicLong now = new AtomicLong(0);

    @Test
    void aBurstPassesAndTheRestQueuesAtTheRate() {
        TokenBucket requests = new TokenBucket(60, 1, now::get);

        assertThat(requests.reserve(1)).isZero();
        assertThat(requests.reserve(1)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(requests.reserve(1)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
        now.set(TimeUnit.SECONDS.toNanos(10));
        assertThat(requests.reserve(1))
                .as("idle time refills only up to the burst")
                .isZero();
        assertThat(requests.reserve(1)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aRequestLargerThanTheBurstPassesAndTheNextOnesRepayItsDebt() {
        TokenBucket tokens = new TokenBucket(6000, 100, now::get); // 100 tokens per second

        assertThat(tokens.reserve(1000)).isZero();
        assertThat(tokens.reserve(100)).as("900 of debt, then 100 more").isEqualTo(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aRefundShortensTheWaitOfLaterReservations() {
        TokenBucket tokens = new TokenBucket(6000, 100, now::get);
        tokens.reserve(1000);
        tokens.refund(900); // the call used 100 tokens, not the 1000 reserved

        assertThat(tokens.reserve(100)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }
}
