package io.edgeway.controlplane.store;

import java.sql.SQLException;

/** The database failed in a way the caller did not cause; the API answers 503. */
public final class StoreException extends RuntimeException {
    private static final String UNIQUE_VIOLATION = "23505";

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    static RuntimeException translate(SQLException e) {
        // The explicit name check inside the transaction normally answers first; this covers a race
        // with a writer that does not take the revision lock (there is none today, but the index is the truth).
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            return new ConflictException("name", "name: already in use");
        }
        return new StoreException("database: " + e.getMessage(), e);
    }
}
