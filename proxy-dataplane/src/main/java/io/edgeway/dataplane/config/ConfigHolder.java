package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.status.RouteMeters;

/**
 * The one volatile reference the hot path reads once per request. Written only by the config client's
 * single thread, so a plain volatile write is enough.
 */
public final class ConfigHolder {
    private volatile RuntimeConfig current = RuntimeConfig.NONE;
    private volatile RouteMeters meters = RouteMeters.NONE;
    private volatile long appliedAtMillis;
    private volatile long lastApplyNanos;
    private volatile long rejected;

    public RuntimeConfig get() {
        return current;
    }

    public long version() {
        return current.version();
    }

    /**
     * A snapshot has been applied, from the control plane or the disk cache. Version 0 counts: it is what
     * an empty control plane sends, and a fleet with no routes yet must still pass its health checks.
     */
    public boolean applied() {
        return current != RuntimeConfig.NONE;
    }

    public void set(RuntimeConfig config) {
        current = requireNonNull(config, "config");
        appliedAtMillis = System.currentTimeMillis();
        meters.retain(config.routes().meterKeys());
    }

    /** Where compiled routes get their metric children; {@link RouteMeters#NONE} when metrics are off. */
    public RouteMeters meters() {
        return meters;
    }

    public void meters(RouteMeters meters) {
        this.meters = requireNonNull(meters, "meters");
    }

    /** When the running config was set (wall clock), 0 before the first. */
    public long appliedAtMillis() {
        return appliedAtMillis;
    }

    /** How long the last successful apply took, parsing included. */
    public long lastApplyNanos() {
        return lastApplyNanos;
    }

    void applyTook(long nanos) {
        lastApplyNanos = nanos;
    }

    public long rejected() {
        return rejected;
    }

    /** Only the config client's single thread counts, so a volatile increment is enough. */
    void rejectedOne() {
        rejected = rejected + 1;
    }
}
