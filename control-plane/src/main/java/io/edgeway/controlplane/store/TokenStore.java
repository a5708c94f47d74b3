package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Admin API bearer tokens. Only their SHA-256 is stored: a token is 256 random bits, so no slow hash is
 * needed, and a leaked table or backup cannot be replayed. Tokens are not config: no revision is written.
 */
public final class TokenStore {
    public static final String ADMIN = "admin";
    public static final String READ_ONLY = "read-only";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token as listed: never its secret. */
    public record Token(String name, String role, Instant createdAt) {
        public boolean isAdmin() {
            return ADMIN.equals(role);
        }
    }

    /** A token just made: the only moment its secret exists outside the caller's hands. */
    public record Issued(Token token, String secret) {}

    private final Database db;

    public TokenStore(Database db) {
        this.db = requireNonNull(db, "db");
    }

    /** The token {@code presented} is, if any. Compares every stored hash in constant time, never stopping early. */
    public Optional<Token> authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        return db.consistentRead(c -> {
            Token found = null;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, role, token_sha256, created_at FROM admin_tokens")) {
                while (rs.next()) {
                    if (MessageDigest.isEqual(hash, rs.getBytes("token_sha256"))) {
                        found = read(rs);
                    }
                }
            }
            return Optional.ofNullable(found);
        });
    }

    public Issued create(String name, String role) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ValidationException("name", "name: " + name + " (expected: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }
        if (!ADMIN.equals(role) && !READ_ONLY.equals(role)) {
            throw new ValidationException("role", "role: " + role + " (expected: admin or read-only)");
        }
        String secret = newSecret();
        Token t = db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO admin_tokens (name, role, token_sha256, created_at) VALUES (?, ?, ?, now())
                    ON CONFLICT (name) DO NOTHING RETURNING name, role, created_at""")) {
                ps.setString(1, name);
                ps.setString(2, role);
                ps.setBytes(3, sha256(secret));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new ConflictException("name", "name: " + name + " (expected: a name no other token uses)");
                    }
                    return read(rs);
                }
            }
        });
        return new Issued(t, secret);
    }

    public List<Token> list() {
        return db.consistentRead(c -> {
            List<Token> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, role, created_at FROM admin_tokens ORDER BY name")) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /** Deletes a token, but never the last admin one: that would lock every operator out for good. */
    public void delete(String name) {
        db.transaction(c -> {
            lock(c);
            Token t = list(c, name).orElseThrow(() -> new NotFoundException("token", name));
            if (t.isAdmin() && adminCount(c) == 1) {
                throw new ConflictException("name", "name: " + name + " (expected: not the last admin token)");
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM admin_tokens WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Makes {@code secret} a valid admin token (EDGEWAY_ADMIN_TOKEN): kept under the name {@code env}. */
    public void ensureAdmin(String secret) {
        requireNonNull(secret, "secret");
        byte[] hash = sha256(secret);
        db.transaction(c -> {
            lock(c);
            try (PreparedStatement ps = c.prepareStatement("UPDATE admin_tokens SET role = 'admin' WHERE token_sha256 = ?")) {
                ps.setBytes(1, hash);
                if (ps.executeUpdate() > 0) {
                    return null;
                }
            }
            // a changed EDGEWAY_ADMIN_TOKEN replaces the previous one, so rotating the variable revokes the old secret
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO admin_tokens (name, role, token_sha256, created_at) VALUES ('env', 'admin', ?, now())
                    ON CONFLICT (name) DO UPDATE SET role = 'admin', token_sha256 = excluded.token_sha256""")) {
                ps.setBytes(1, hash);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** When no token exists at all, makes an admin token named {@code initial} and returns its secret. */
    public Optional<String> issueInitialIfNone() {
        return db.transaction(c -> {
            lock(c); // replicas starting together on one database: only one issues it
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM admin_tokens")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return Optional.empty();
                }
            }
            String secret = newSecret();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO admin_tokens (name, role, token_sha256, created_at) VALUES ('initial', 'admin', ?, now())")) {
                ps.setBytes(1, sha256(secret));
                ps.executeUpdate();
            }
            return Optional.of(secret);
        });
    }

    public boolean any() {
        return db.consistentRead(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM admin_tokens)")) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    private static void lock(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE admin_tokens IN SHARE ROW EXCLUSIVE MODE");
        }
    }

    private static Optional<Token> list(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, role, created_at FROM admin_tokens WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static long adminCount(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM admin_tokens WHERE role = 'admin'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Token read(ResultSet rs) throws SQLException {
        return new Token(rs.getString("name"), rs.getString("role"), Rows.instant(rs, "created_at"));
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "ew_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
