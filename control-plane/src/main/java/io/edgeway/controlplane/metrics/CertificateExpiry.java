package io.edgeway.controlplane.metrics;

import io.edgeway.controlplane.store.ConfigListener;
import io.edgeway.controlplane.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Each certificate's expiry for the metrics page (the "certificate expiring" alert), read from the database when
 * the revision moved or at most every {@link #REFRESH_NANOS} and not at all while it is unreachable (a scrape must not wait on an outage):
 * the last values are shown then.
 */
final class CertificateExpiry {
    private static final long REFRESH_NANOS = 30_000_000_000L;
    private final Database db;
    private final ConfigListener listener;
    private volatile Map<String, Double> last = Map.of();
    private volatile long readAt;
    private volatile long readRevision = -1;
    private final LongSupplier revision;

    CertificateExpiry(Database db, ConfigListener listener, LongSupplier revision) {
        this.db = db;
        this.listener = listener;
        this.revision = revision;
    }

    /** Re-read when the config changed (a certificate may have come or gone), else at most every 30 s. */
    synchronized void fill(Map<String, Double> out) {
        long now = revision.getAsLong();
        boolean stale = now != readRevision || System.nanoTime() - readAt > REFRESH_NANOS;
        if (stale && listener.databaseReachable()) {
            try {
                last = db.transaction(c -> {
                    Map<String, Double> m = new HashMap<>();
                    try (PreparedStatement ps = c.prepareStatement("SELECT name, expires_at FROM certificates");
                         ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Timestamp expires = rs.getTimestamp(2);
                            if (expires != null) { // a managed certificate not issued yet has none
                                m.put(rs.getString(1), expires.getTime() / 1e3);
                            }
                        }
                    }
                    return m;
                });
                readAt = System.nanoTime();
                readRevision = now;
            } catch (RuntimeException e) {
                // the last values stay; edgeway_cp_database_up says why
            }
        }
        out.putAll(last);
    }
}
