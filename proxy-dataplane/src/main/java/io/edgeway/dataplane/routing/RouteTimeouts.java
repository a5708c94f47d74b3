package io.edgeway.dataplane.routing;

/** Per-route timeouts in milliseconds, defaults already applied. */
public record RouteTimeouts(long connectMs, long firstByteMs, long idleMs) {
    public static final long DEFAULT_CONNECT_MS = 5_000;
    public static final long DEFAULT_FIRST_BYTE_MS = 60_000;
    public static final long DEFAULT_IDLE_MS = 60_000;
    public static final RouteTimeouts DEFAULTS =
            new RouteTimeouts(DEFAULT_CONNECT_MS, DEFAULT_FIRST_BYTE_MS, DEFAULT_IDLE_MS);

    public RouteTimeouts {
        if (connectMs <= 0 || firstByteMs <= 0 || idleMs <= 0) {
            throw new IllegalArgumentException("timeouts must be positive: connect=" + connectMs
                    + " firstByte=" + firstByteMs + " idle=" + idleMs);
        }
    }
}
