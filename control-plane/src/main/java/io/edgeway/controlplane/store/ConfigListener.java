package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this replica the current config revision: at once when any replica commits (LISTEN), and at least
 * every poll interval anyway (1 s by default), because a notification sent while our session was down is gone
 * for good. Runs on one dedicated connection and reconnects with backoff when it breaks; after each (re)connect
 * it reads the revision at once, so what was committed before the LISTEN is not left to the next poll.
 */
public final class ConfigListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigListener.class);
    /** The safety net's default period (EDGEWAY_REVISION_POLL). */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final Database db;
    private final LongConsumer onRevision;
    private final int pollMillis;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;
    /** System.nanoTime() of the last revision read: the database answered then. */
    private volatile long lastReadNanos;
    private volatile boolean everRead;

    public ConfigListener(Database db, LongConsumer onRevision) {
        this(db, DEFAULT_POLL, onRevision);
    }

    public ConfigListener(Database db, Duration poll, LongConsumer onRevision) {
        this.db = requireNonNull(db, "db");
        this.onRevision = requireNonNull(onRevision, "onRevision");
        this.pollMillis = (int) Math.min(Integer.MAX_VALUE, requireNonNull(poll, "poll").toMillis());
        if (pollMillis < 1) {
            throw new IllegalArgumentException("poll: " + poll + " (expected: at least 1ms)");
        }
        this.thread = new Thread(this::run, "edgeway-config-listener");
        this.thread.setDaemon(true);
    }

    /**
     * Whether the database answered this replica's listener within the last three poll intervals (at least
     * 3 s): false during an outage, which is when writes answer 503 and proxies keep their last config.
     */
    public boolean databaseReachable() {
        long window = Math.max(3L * pollMillis, 3_000L) * 1_000_000L;
        return everRead && System.nanoTime() - lastReadNanos < window;
    }

    public ConfigListener start() {
        thread.start();
        return this;
    }

    private void run() {
        long backoffMillis = 100;
        while (!closed) {
            try (Connection c = db.dedicatedConnection()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + RevisionLog.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoffMillis = 100;
                while (!closed) {
                    onRevision.accept(RevisionLog.current(c));
                    lastReadNanos = System.nanoTime();
                    everRead = true;
                    // Returns early when a notification arrives; the payload is only a hint, the
                    // counter row is the truth, so it is read either way.
                    pg.getNotifications(pollMillis);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("config listener lost its database session; reconnecting in {} ms", backoffMillis, e);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run); // drops the socket, so a waiting getNotifications returns at once
            } catch (SQLException | RuntimeException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
