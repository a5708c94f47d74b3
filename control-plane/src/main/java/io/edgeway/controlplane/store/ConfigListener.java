package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Tells this replica the current config revision: at once when any replica commits (LISTEN), and at least
 * every poll interval anyway (1 s by default), as a safety net for notifications lost while disconnected.
 * The counter row, not the notification's payload, is the truth, so it is read on every wake.
 */
public final class ConfigListener implements AutoCloseable {
    /** The safety net's default period (EDGEWAY_REVISION_POLL). */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    private final NotificationListener listener;
    private final long reachableWindowNanos;
    /** System.nanoTime() of the last revision read: the database answered then. */
    private volatile long lastReadNanos;
    private volatile boolean everRead;

    public ConfigListener(Database db, LongConsumer onRevision) {
        this(db, DEFAULT_POLL, onRevision);
    }

    public ConfigListener(Database db, Duration poll, LongConsumer onRevision) {
        requireNonNull(onRevision, "onRevision");
        this.reachableWindowNanos = Math.max(3 * poll.toNanos(), Duration.ofSeconds(3).toNanos());
        this.listener = new NotificationListener(db, RevisionLog.CHANNEL, poll, "edgeway-config-listener", c -> {
            onRevision.accept(RevisionLog.current(c));
            lastReadNanos = System.nanoTime();
            everRead = true;
        });
    }

    /**
     * Whether the database answered this replica's listener within the last three poll intervals (at least
     * 3 s): false during an outage, which is when writes answer 503 and proxies keep their last config.
     */
    public boolean databaseReachable() {
        return everRead && System.nanoTime() - lastReadNanos < reachableWindowNanos;
    }

    public ConfigListener start() {
        listener.start();
        return this;
    }

    @Override
    public void close() {
        listener.close();
    }
}
