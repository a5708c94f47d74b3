package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Every node certificate issued, and which are revoked: the interceptor refuses a revoked serial. */
public final class NodeCertificateStore {
    static final String REVOCATION_CHANNEL = "edgeway_revocations";
    private final Database db;

    public NodeCertificateStore(Database db) {
        this.db = requireNonNull(db, "db");
    }

    public void issued(String serial, String nodeId, Instant issuedAt, Instant expiresAt, String joinTokenName) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO node_certificates (serial, node_id, issued_at, expires_at, join_token) VALUES (?, ?, ?, ?, ?)""")) {
                ps.setString(1, serial);
                ps.setString(2, nodeId);
                ps.setTimestamp(3, Timestamp.from(issuedAt));
                ps.setTimestamp(4, Timestamp.from(expiresAt));
                ps.setString(5, joinTokenName);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Revokes every certificate of {@code nodeId}; returns how many were still valid. Every replica hears of it
     * by a NOTIFY that PostgreSQL sends only if this transaction commits (see {@link #onRevocation}).
     */
    public int revokeNode(String nodeId) {
        return db.transaction(c -> {
            int revoked;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE node_certificates SET revoked_at = now() WHERE node_id = ? AND revoked_at IS NULL")) {
                ps.setString(1, nodeId);
                revoked = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, REVOCATION_CHANNEL);
                ps.setString(2, nodeId);
                ps.execute();
            }
            return revoked;
        });
    }

    /**
     * Runs {@code refresh} when any replica revokes a node (LISTEN), at once after (re)connecting, and every
     * {@code poll} anyway, for a notification lost while this replica's session was down. Close to stop.
     */
    public AutoCloseable onRevocation(Duration poll, Runnable refresh) {
        return new NotificationListener(db, REVOCATION_CHANNEL, poll, "edgeway-revocations", c -> refresh.run()).start();
    }

    /** Revoked serials that have not expired yet (an expired one is refused by the TLS handshake anyway), with their node. */
    public Map<String, String> revokedUnexpired() {
        return db.consistentRead(c -> {
            Map<String, String> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT serial, node_id FROM node_certificates WHERE revoked_at IS NOT NULL AND expires_at > now()");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }
}
