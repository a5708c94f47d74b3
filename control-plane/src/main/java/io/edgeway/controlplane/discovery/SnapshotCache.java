package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the newest snapshot and tells watchers when it changes. Versions only move forward. No lock is
 * held while watchers run, so a slow stream cannot stall a swap or another stream.
 *
 * <p>During a canary rollout it also holds the previous revision's snapshot, and {@link #forNode} says which
 * of the two a node gets (see {@link RolloutPlan}). The held snapshot is the one this replica had built when
 * the rollout began; a replica started mid-rollout has none, and then sends nothing to a held-back node:
 * a connected one already runs the previous revision, and a new one waits for the rollout to end rather
 * than get the canary revision.
 */
public final class SnapshotCache {
    private final AtomicReference<PreparedSnapshot> latest = new AtomicReference<>();
    private final Set<Consumer<PreparedSnapshot>> watchers = new CopyOnWriteArraySet<>();
    private volatile RolloutPlan plan = RolloutPlan.NONE;
    private volatile PreparedSnapshot held; // the previous revision, for nodes the plan holds back

    /** Installs {@code snapshot} unless a version at least as new is already there; returns whether it did. */
    public boolean set(PreparedSnapshot snapshot) {
        requireNonNull(snapshot, "snapshot");
        PreparedSnapshot previous;
        do {
            previous = latest.get();
            if (previous != null && previous.version() >= snapshot.version()) {
                return false;
            }
        } while (!latest.compareAndSet(previous, snapshot));
        keepIfPrevious(snapshot);
        for (Consumer<PreparedSnapshot> w : watchers) {
            w.accept(snapshot);
        }
        return true;
    }

    /**
     * Installs a rollout plan (from the rollouts table) and, if it changed, lets every stream look again at
     * what it should run. Call it before installing the revision the plan stages, so no stream sees that
     * revision without the plan.
     */
    public synchronized void plan(RolloutPlan next) {
        requireNonNull(next, "next");
        if (next.equals(plan)) {
            return;
        }
        PreparedSnapshot current = latest.get();
        if (next.rolloutId() != plan.rolloutId()) {
            held = null;
        }
        plan = next;
        if (current != null) {
            keepIfPrevious(current);
            for (Consumer<PreparedSnapshot> w : watchers) {
                w.accept(current);
            }
        }
    }

    private synchronized void keepIfPrevious(PreparedSnapshot s) {
        RolloutPlan p = plan;
        if (p.rolloutId() != 0 && s.version() == p.previousRevision() && held == null) {
            held = s;
        }
    }

    public RolloutPlan plan() {
        return plan;
    }

    /**
     * The snapshot node {@code id} should run now: the newest, or, while the plan holds the node back, the
     * previous revision's (null when this replica does not have it: send nothing).
     */
    public PreparedSnapshot forNode(String id, Map<String, String> labels) {
        PreparedSnapshot newest = latest.get();
        RolloutPlan p = plan;
        if (newest == null || !p.holdsBack(id, labels, newest.version())) {
            return newest;
        }
        PreparedSnapshot h = held;
        return h != null && h.version() == p.previousRevision() ? h : null;
    }

    /** The version {@link #forNode} gives node {@code id}, for the fleet view; 0 when none. */
    public long versionFor(String id, Map<String, String> labels) {
        PreparedSnapshot newest = latest.get();
        RolloutPlan p = plan;
        if (newest == null) {
            return 0;
        }
        return p.holdsBack(id, labels, newest.version()) ? p.previousRevision() : newest.version();
    }

    /** The newest snapshot, or null before the first build. */
    public PreparedSnapshot get() {
        return latest.get();
    }

    /** The newest version, 0 before the first build. */
    public long version() {
        PreparedSnapshot s = latest.get();
        return s == null ? 0 : s.version();
    }

    /**
     * Calls {@code watcher} with every snapshot installed from now on. A caller should read {@link #get()}
     * after watching, so a swap between the two is never missed. Run the returned action to stop.
     */
    public Runnable watch(Consumer<PreparedSnapshot> watcher) {
        requireNonNull(watcher, "watcher");
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }
}
