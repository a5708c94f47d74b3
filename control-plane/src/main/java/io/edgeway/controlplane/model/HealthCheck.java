package io.edgeway.controlplane.model;

import java.time.Duration;

/** Active probes and passive ejection for an upstream's targets; a null part is off. */
public record HealthCheck(Active active, Passive passive) {

    /**
     * An HTTP GET of {@code path} on each target every {@code interval}, or with {@code path} "" a TCP connect
     * (for upstreams of stream routes that speak no HTTP); thresholds count results in a row.
     */
    public record Active(String path, int expectedStatus, Duration interval, Duration timeout,
            int healthyThreshold, int unhealthyThreshold) {
        public static final String DEFAULT_PATH = "/";
        public static final int DEFAULT_STATUS = 200;
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
        public static final int DEFAULT_THRESHOLD = 2;

        public Active {
            path = path == null ? DEFAULT_PATH : path;
            interval = interval == null ? DEFAULT_INTERVAL : interval;
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
            String p = "health_check.active.";
            var v = new ValidationException.Collector();
            v.check(path.isEmpty() || path.startsWith("/") && path.length() <= 1024 && path.chars().allMatch(c -> c > ' ' && c < 127),
                    p + "path", "path: " + path + " (expected: a path starting with /, or \"\" for a TCP connect check)");
            v.check(expectedStatus >= 100 && expectedStatus <= 599, p + "expected_status",
                    "expected_status: " + expectedStatus + " (expected: 100-599)");
            v.check(healthyThreshold >= 1 && healthyThreshold <= 100, p + "healthy_threshold",
                    "healthy_threshold: " + healthyThreshold + " (expected: 1-100)");
            v.check(unhealthyThreshold >= 1 && unhealthyThreshold <= 100, p + "unhealthy_threshold",
                    "unhealthy_threshold: " + unhealthyThreshold + " (expected: 1-100)");
            v.throwIfAny();
        }
    }

    /** Ejects a target for {@code ejectionTime} after that many connect failures, 5xx or timeouts in a row. */
    public record Passive(int consecutiveFailures, Duration ejectionTime) {
        public static final int DEFAULT_FAILURES = 5;
        public static final Duration DEFAULT_EJECTION = Duration.ofSeconds(30);

        public Passive {
            ejectionTime = ejectionTime == null ? DEFAULT_EJECTION : ejectionTime;
            var v = new ValidationException.Collector();
            v.check(consecutiveFailures >= 1 && consecutiveFailures <= 1000, "health_check.passive.consecutive_failures",
                    "consecutive_failures: " + consecutiveFailures + " (expected: 1-1000)");
            v.throwIfAny();
        }
    }
}
