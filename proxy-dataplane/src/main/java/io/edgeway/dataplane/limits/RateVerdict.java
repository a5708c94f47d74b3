package io.edgeway.dataplane.limits;

/**
 * The outcome of one {@link RateLimits#admit}: filled in place, one instance per client connection (or h2
 * stream handler), so admitting a request allocates nothing.
 */
public final class RateVerdict {
    boolean allowed;
    /** Requests the key may still send now. */
    long remaining;
    /** Seconds until the bucket is full again (allowed), or until the next request may pass (refused). */
    long resetSeconds;
    RateLimitSpec spec;

    public boolean allowed() {
        return allowed;
    }

    public long remaining() {
        return remaining;
    }

    public long resetSeconds() {
        return resetSeconds;
    }

    /** The limit this verdict is about, {@code null} when the route has none. */
    public RateLimitSpec spec() {
        return spec;
    }

    public void clear() {
        spec = null;
    }
}
