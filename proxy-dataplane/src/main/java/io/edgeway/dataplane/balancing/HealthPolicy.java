package io.edgeway.dataplane.balancing;

/** An upstream's health settings; a null part is off. */
public record HealthPolicy(Active active, Passive passive) {
    public static final HealthPolicy NONE = new HealthPolicy(null, null);

    /** An HTTP/1.1 GET of {@code path} every {@code intervalMs}; thresholds count consecutive results. */
    public record Active(String path, int expectedStatus, long intervalMs, long timeoutMs,
            int healthyThreshold, int unhealthyThreshold) {}

    /** Ejects a target for {@code ejectionMs} after that many connect failures, 5xx or timeouts in a row. */
    public record Passive(int consecutiveFailures, long ejectionMs) {}
}
