package io.edgeway.controlplane.model;

/**
 * How much of a route's traffic the proxies' access log writes (when a proxy's access log is on at all):
 * {@code enabled} false writes none; otherwise {@code sample} is the share of requests written, in (0, 1].
 */
public record AccessLogPolicy(boolean enabled, double sample) {
    public static final AccessLogPolicy ALL = new AccessLogPolicy(true, 1);

    void check(ValidationException.Collector v) {
        v.check(sample > 0 && sample <= 1, "access_log.sample",
                "access_log.sample: " + sample + " (expected: more than 0, at most 1)");
    }

    public boolean isDefault() {
        return equals(ALL);
    }
}
