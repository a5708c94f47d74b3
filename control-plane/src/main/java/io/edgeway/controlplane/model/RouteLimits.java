package io.edgeway.controlplane.model;

/**
 * What a route protects its upstream with: a rate limit ({@code null}: none) and the largest request body
 * it forwards ({@code maxBodyBytes}, 0: no limit beyond the proxy's own).
 */
public record RouteLimits(RateLimit rateLimit, long maxBodyBytes) {
    public static final RouteLimits NONE = new RouteLimits(null, 0);
    /** 1 TiB: anything larger is a typo, and it keeps byte counting far from overflow. */
    public static final long MAX_BODY = 1L << 40;

    void check(ValidationException.Collector v) {
        if (rateLimit != null) {
            rateLimit.check(v);
        }
        v.check(maxBodyBytes >= 0 && maxBodyBytes <= MAX_BODY, "max_body_bytes",
                "max_body_bytes: " + maxBodyBytes + " (expected: 1-" + MAX_BODY + " bytes; absent means no limit)");
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
