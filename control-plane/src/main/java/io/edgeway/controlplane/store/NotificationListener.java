package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL LISTEN session that wakes {@code onWake} at once when any replica sends a NOTIFY on its
 * channel, and at least every poll interval anyway, because a notification sent while our session was down is
 * gone for good. Runs on one dedicated connection and reconnects with backoff when it breaks; after each
 * (re)connect it wakes at once, so what was committed before the LISTEN is not left to the next poll. The
 * payload is never trusted: {@code onWake} reads the truth from the database.
 */
final class NotificationListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What to do on a notification or a poll, given the listening connection (outside any transaction). */
    @FunctionalInterface
    interface OnWake {
        void wake(Connection listening) throws SQLException;
    }

    private final Database db;
    private final String channel;
    private final OnWake onWake;
    private final int pollMillis;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    NotificationListener(Database db, String channel, Duration poll, String threadName, OnWake onWake) {
        this.db = requireNonNull(db, "db");
        this.channel = requireNonNull(channel, "channel");
        this.onWake = requireNonNull(onWake, "onWake");
        this.pollMillis = (int) Math.min(Integer.MAX_VALUE, requireNonNull(poll, "poll").toMillis());
        if (pollMillis < 1) {
            throw new IllegalArgumentException("poll: " + poll + " (expected: at least 1ms)");
        }
        this.thread = new Thread(this::run, requireNonNull(threadName, "threadName"));
        this.thread.setDaemon(true);
    }

    NotificationListener start() {
        thread.start();
        return this;
    }

    private void run() {
        long backoffMillis = 100;
        while (!closed) {
            try (Connection c = db.dedicatedConnection()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoffMillis = 100;
                while (!closed) {
                    onWake.wake(c);
                    pg.getNotifications(pollMillis); // returns early when a notification arrives
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("listener on {} lost its database session; reconnecting in {} ms", channel, backoffMillis, e);
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
