package io.selfinstruct.generate;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How this instance runs batches ({@code selfinstruct.batches.*}).
 *
 * @param instanceId   this instance's name in batch claims; blank: a UUID kept in {@code <data-dir>/instance-id},
 *                     so a restarted instance takes its own batches back at once
 * @param pollInterval how often queued batches are claimed and running ones send a heartbeat
 * @param claimTimeout a claim whose heartbeat is older than this is taken over (its instance died)
 * @param maxRunning   batches this instance runs at the same time
 */
@ConfigurationProperties("selfinstruct.batches")
public record BatchProperties(String instanceId, Duration pollInterval, Duration claimTimeout, Integer maxRunning) {
    public BatchProperties {
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
        claimTimeout = claimTimeout == null ? Duration.ofSeconds(30) : claimTimeout;
        maxRunning = maxRunning == null ? 4 : maxRunning;
    }
}
