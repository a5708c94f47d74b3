package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.dataplane.control.JoinToken;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Join tokens: what a new proxy presents to get its first client certificate. One token serves any number of
 * proxies (an autoscaling group's launch template) until it expires or is deleted. Only the secret's SHA-256
 * is stored; the token string also carries the CA pin, which is public.
 */
public final class JoinTokenStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Duration MAX_TTL = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token as listed: never its secret. */
    public record Token(String id, String name, Instant createdAt, Instant expiresAt) {}

    /** A token just made; {@code text} is the only copy of the secret. */
    public record Issued(Token token, String text) {
        @Override
        public String toString() {
            return "Issued[" + token + ", text=***]";
        }
    }

    private final Database db;

    public JoinTokenStore(Database db) {
        this.db = requireNonNull(db, "db");
    }

    public Issued create(String name, Duration ttl, String caPin) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ValidationException("name", "name: " + name + " (expected: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ValidationException("ttl", "ttl: " + ttl + " (expected: a duration like 30m, 24h or 7d, at most 365d)");
        }
        byte[] idBytes = new byte[6];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        JoinToken token = new JoinToken(HexFormat.of().formatHex(idBytes),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes), caPin);
        Token t = db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO join_tokens (id, name, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, now(), now() + ?::interval)
                    ON CONFLICT (name) DO NOTHING RETURNING id, name, created_at, expires_at""")) {
                ps.setString(1, token.id());
                ps.setString(2, name);
                ps.setBytes(3, TokenStore.sha256(token.secret()));
                ps.setString(4, ttl.toMillis() + " milliseconds");
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new ConflictException("name", "name: " + name + " (expected: a name no other join token uses)");
                    }
                    return read(rs);
                }
            }
        });
        return new Issued(t, token.text());
    }

    /** The unexpired token {@code presented} is, if any; the secret is compared in constant time. */
    public Optional<Token> authenticate(JoinToken presented) {
        byte[] hash = TokenStore.sha256(presented.secret());
        return db.consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, created_at, expires_at, secret_sha256 FROM join_tokens WHERE id = ? AND expires_at > now()")) {
                ps.setString(1, presented.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && MessageDigest.isEqual(hash, rs.getBytes("secret_sha256"))) {
                        return Optional.of(read(rs));
                    }
                    return Optional.empty();
                }
            }
        });
    }

    public List<Token> list() {
        return db.consistentRead(c -> {
            List<Token> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, name, created_at, expires_at FROM join_tokens ORDER BY name")) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /** Revokes a token: proxies that joined with it keep their certificates; no new proxy can join with it. */
    public void delete(String name) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM join_tokens WHERE name = ?")) {
                ps.setString(1, name);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("join token", name);
                }
            }
            return null;
        });
    }

    private static Token read(ResultSet rs) throws SQLException {
        return new Token(rs.getString("id"), rs.getString("name"), Rows.instant(rs, "created_at"), Rows.instant(rs, "expires_at"));
    }
}
