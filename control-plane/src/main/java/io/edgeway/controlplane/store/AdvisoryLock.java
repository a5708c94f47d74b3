package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL session-level advisory lock on a connection of its own: held while that connection lives, so a
 * replica that dies (process killed, network cut) loses it when PostgreSQL closes its session, and another
 * replica's next {@link #tryAcquire} gets it. {@link #tryAcquire} and {@link #close} from one owner thread; {@link #isHeld} from any.
 */
public final class AdvisoryLock implements AutoCloseable {
    private final Database db;
    private final long key;
    private volatile Connection connection;

    public AdvisoryLock(Database db, long key) {
        this.db = requireNonNull(db, "db");
        this.key = key;
    }

    /** True when this replica holds the lock (already, or now); false when another replica does. */
    public boolean tryAcquire() {
        try {
            if (connection != null) {
                if (connection.isValid(2)) {
                    return true;
                }
                close(); // the session is gone, and the lock with it
            }
            Connection c = db.dedicatedConnection();
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        connection = c;
                        return true;
                    }
                }
            }
            c.close();
            return false;
        } catch (SQLException e) {
            close();
            return false;
        }
    }

    /** Whether this replica held the lock at its last {@link #tryAcquire} (read from any thread). */
    public boolean isHeld() {
        return connection != null;
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close(); // ends the session: PostgreSQL releases its advisory locks
            } catch (SQLException e) {
                // already gone
            }
            connection = null;
        }
    }
}
