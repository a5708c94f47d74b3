package io.edgeway.dataplane.balancing;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the proxy has learned about one target of one upstream: requests in flight and health. It outlives
 * config versions: a push that keeps {@code host:port} in the upstream hands the same state to the new
 * {@link Endpoint}, so counts and ejections survive and nothing about the target's pooled connections changes.
 * Field updaters instead of Atomic* objects: one object per target, no allocation when counting.
 */
public final class TargetState {
    private static final AtomicIntegerFieldUpdater<TargetState> OUTSTANDING =
            AtomicIntegerFieldUpdater.newUpdater(TargetState.class, "outstanding");
    private static final AtomicIntegerFieldUpdater<TargetState> FAILURES =
            AtomicIntegerFieldUpdater.newUpdater(TargetState.class, "failures");

    private volatile int outstanding;
    private volatile int failures;
    private volatile boolean activeHealthy = true;
    private volatile long ejectedUntil;
    private volatile boolean ejected;
    private volatile long availableSince;
    // Rare events, counted for the metrics page; LongAdders so concurrent ejections from two loops both count.
    private final LongAdder ejections = new LongAdder();
    private final LongAdder becameHealthy = new LongAdder();
    private final LongAdder becameUnhealthy = new LongAdder();

    TargetState(long now) {
        this.availableSince = now;
    }

    public int outstanding() {
        return outstanding;
    }

    void begin() {
        OUTSTANDING.incrementAndGet(this);
    }

    void end() {
        OUTSTANDING.decrementAndGet(this);
    }

    void succeeded() {
        if (failures != 0) { // a read, not a write, on the common path: no shared cache-line traffic
            failures = 0;
        }
    }

    /** Counts one passive failure; true when this one ejects the target. */
    boolean failed(int threshold, long ejectionNanos, long now) {
        if (FAILURES.incrementAndGet(this) < threshold) {
            return false;
        }
        failures = 0;
        ejectedUntil = now + ejectionNanos;
        if (available()) {
            becameUnhealthy.increment();
        }
        ejected = true;
        ejections.increment();
        return true;
    }

    public boolean activeHealthy() {
        return activeHealthy;
    }

    public boolean ejected() {
        return ejected;
    }

    /** Set by the active health checker only. */
    public void activeHealthy(boolean healthy, long now) {
        if (healthy && !activeHealthy && !ejected) {
            availableSince = now;
            becameHealthy.increment();
        } else if (!healthy && activeHealthy && !ejected) {
            becameUnhealthy.increment();
        }
        activeHealthy = healthy;
    }

    /** Ends an ejection whose time is up; called off the request path before rebuilding balancers. */
    void expireEjection(long now) {
        if (ejected && now - ejectedUntil >= 0) {
            ejected = false;
            if (activeHealthy) {
                becameHealthy.increment();
            }
            failures = 0;
            availableSince = now;
        }
    }

    /** Passive ejections of this target since the proxy started. */
    public long ejections() {
        return ejections.sum();
    }

    /** Moves into rotation (to = healthy) or out of it (active probes or an ejection). */
    public long transitions(boolean toHealthy) {
        return toHealthy ? becameHealthy.sum() : becameUnhealthy.sum();
    }

    boolean available() {
        return activeHealthy && !ejected;
    }

    long availableSince() {
        return availableSince;
    }
}
