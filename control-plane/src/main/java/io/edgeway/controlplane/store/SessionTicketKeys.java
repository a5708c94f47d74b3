package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS session ticket keys the proxies share: random, sealed under the {@link MasterKey}, newest first.
 * A rotation adds a new key (which then encrypts new tickets) and keeps the previous ones up to
 * {@link #KEEP} (they still decrypt), as a new revision so every proxy gets it. Made only once a certificate
 * exists: without one there is nothing to resume, and no master key needs to be made for it.
 */
public final class SessionTicketKeys {
    /** The new key and two previous ones: a ticket stays resumable for two to three rotation periods. */
    static final int KEEP = 3;
    static final int KEY_BYTES = 48;

    private final RevisionLog log;
    private final MasterKey masterKey;
    private final SecureRandom random = new SecureRandom();

    public SessionTicketKeys(RevisionLog log, MasterKey masterKey) {
        this.log = requireNonNull(log, "log");
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    /**
     * At start, before the first snapshot is built: the first key when none exists. Made even before any
     * certificate does, so that the first certificate (uploaded, managed or a proxy's default) is resumable
     * across the fleet at once, not after the next rotation check. Not a revision (the snapshot about to be built is the first this replica serves); under the revision
     * lock, so replicas starting together make one.
     */
    public void ensureOne() {
        log.db().transaction(c -> {
            lockRevision(c);
            if (count(c, "session_ticket_keys") == 0) {
                insert(c);
            }
            return null;
        });
    }

    /** Adds a key when the newest is older than {@code period} (or none exists). */
    public boolean rotateIfDue(Duration period) {
        requireNonNull(period, "period");
        Written<Boolean> w = log.writeIfChanged((c, bump) -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM session_ticket_keys WHERE created_at > now() - ?::interval")) {
                ps.setString(1, period.toMillis() + " milliseconds");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return new Written<>(false, 0, false);
                    }
                }
            }
            insert(c);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM session_ticket_keys WHERE id NOT IN "
                        + "(SELECT id FROM session_ticket_keys ORDER BY id DESC LIMIT " + KEEP + ")");
            }
            return new Written<>(true, bump.getAsLong(), false);
        });
        return w.value();
    }

    /** Sealed keys, newest first: what the snapshot builder opens and pushes. */
    static List<byte[]> sealedNewestFirst(Connection c) throws SQLException {
        List<byte[]> keys = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sealed FROM session_ticket_keys ORDER BY id DESC")) {
            while (rs.next()) {
                keys.add(rs.getBytes(1));
            }
        }
        return keys;
    }

    private void insert(Connection c) throws SQLException {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO session_ticket_keys (sealed) VALUES (?)")) {
            ps.setBytes(1, masterKey.encrypt(key));
            ps.executeUpdate();
        }
    }

    private static void lockRevision(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT revision FROM config_revision FOR UPDATE")) {
            rs.next();
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
