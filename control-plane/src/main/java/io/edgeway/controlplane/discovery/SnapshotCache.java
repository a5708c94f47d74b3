package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the newest snapshot and tells watchers when it changes. Versions only move forward. No lock is
 * held while watchers run, so a slow stream cannot stall a swap or another stream.
 */
public final class SnapshotCache {
    private final AtomicReference<PreparedSnapshot> latest = new AtomicReference<>();
    private final Set<Consumer<PreparedSnapshot>> watchers = new CopyOnWriteArraySet<>();

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
        for (Consumer<PreparedSnapshot> w : watchers) {
            w.accept(snapshot);
        }
        return true;
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
