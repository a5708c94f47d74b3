package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.Arrays;
import java.util.Optional;

/**
 * First responses to POSTs sent with an {@code Idempotency-Key}, kept 24 hours, so a client that retries
 * after a timeout gets the answer it missed instead of a second write (or a 409 for its own create).
 */
public final class IdempotencyStore {
    /** The first answer to a key: replayed as is. */
    public record Saved(int status, String body, Long revision) {}

    private final Database db;

    public IdempotencyStore(Database db) {
        this.db = requireNonNull(db, "db");
    }

    /** The saved answer for {@code key} on {@code path}, if any; throws when the key came with another body. */
    public Optional<Saved> find(String key, String path, String body) {
        byte[] hash = TokenStore.sha256(body);
        return db.consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT request_sha256, status, body, revision FROM idempotency_keys
                    WHERE key = ? AND path = ? AND created_at > now() - interval '24 hours'""")) {
                ps.setString(1, key);
                ps.setString(2, path);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    if (!Arrays.equals(hash, rs.getBytes("request_sha256"))) {
                        throw new IdempotencyMismatchException("Idempotency-Key: " + key
                                + " (expected: a new key, or the same body as its first use)");
                    }
                    long revision = rs.getLong("revision");
                    return Optional.of(new Saved(rs.getInt("status"), rs.getString("body"), rs.wasNull() ? null : revision));
                }
            }
        });
    }

    /** Keeps the first answer; a concurrent first use of the same key keeps whichever committed first. */
    public void save(String key, String path, String body, Saved answer) {
        db.transaction(c -> {
            // expired answers go, so the table stays small and an expired key may be used again
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM idempotency_keys WHERE created_at <= now() - interval '24 hours'")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO idempotency_keys (key, path, request_sha256, status, body, revision, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING""")) {
                ps.setString(1, key);
                ps.setString(2, path);
                ps.setBytes(3, TokenStore.sha256(body));
                ps.setInt(4, answer.status());
                ps.setString(5, answer.body());
                if (answer.revision() == null) {
                    ps.setNull(6, Types.BIGINT);
                } else {
                    ps.setLong(6, answer.revision());
                }
                ps.executeUpdate();
            }
            return null;
        });
    }
}
