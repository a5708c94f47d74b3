package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Pem;
import io.edgeway.controlplane.model.Stored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * TLS certificates in PostgreSQL. The private key is stored only as AES-256-GCM ciphertext under the
 * {@link MasterKey}, and neither the API view nor the revision log holds it; {@code certificate_keys} keeps
 * each sealed key by its leaf's fingerprint, so a rollback can restore a deleted certificate with its key.
 * Every write goes through the revision log. Pushed to the proxies in the snapshot ({@link #sealedAll}), the
 * key decrypted only while the snapshot is built.
 */
public final class CertificateStore {
    private static final String KIND = "certificate";

    private final RevisionLog log;
    private final MasterKey masterKey;

    public CertificateStore(RevisionLog log, MasterKey masterKey) {
        this.log = requireNonNull(log, "log");
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    /** Up to {@code limit} certificates having every tag in {@code tags}, in name order from {@code offset}. */
    public List<Stored<Certificate>> page(List<String> tags, int limit, int offset) {
        return log.db().consistentRead(c -> Rows.list(c, "SELECT * FROM certificates WHERE tags @> ? ORDER BY name LIMIT ? OFFSET ?", CertificateStore::read,
                Rows.textArray(c, tags), limit, offset));
    }

    public Stored<Certificate> get(String key) {
        return log.db().consistentRead(c -> find(c, key, false)).orElseThrow(() -> new NotFoundException(KIND, key));
    }

    /** {@code privateKey}: the PKCS#8 DER the request's key parsed to; encrypted before it reaches the database. */
    public Written<Stored<Certificate>> create(Certificate cert, byte[] privateKey) {
        requireNonNull(cert, "cert");
        byte[] sealed = masterKey.encrypt(requireNonNull(privateKey, "privateKey"));
        return log.write((c, revision) -> {
            checkFree(c, cert, null);
            Stored<Certificate> s = insert(c, UUID.randomUUID(), cert, sealed, revision);
            RevisionLog.record(c, revision, KIND, s.id(), cert.name(), "create", null, EntityJson.certificate(s));
            return new Written<>(s, revision, true);
        });
    }

    /** Replaces (when {@code ifMatch} matches) the certificate {@code key} names, or creates it when {@code key} is an unused name. */
    public Written<Stored<Certificate>> put(String key, Certificate cert, byte[] privateKey, String ifMatch) {
        requireNonNull(key, "key");
        requireNonNull(cert, "cert");
        byte[] sealed = masterKey.encrypt(requireNonNull(privateKey, "privateKey"));
        return log.write((c, revision) -> {
            Optional<Stored<Certificate>> existing = find(c, key, true);
            Precondition.check(ifMatch, existing.orElse(null));
            if (existing.isEmpty()) {
                Rows.requireCreatable(KIND, key, cert.name());
                checkFree(c, cert, null);
                Stored<Certificate> s = insert(c, UUID.randomUUID(), cert, sealed, revision);
                RevisionLog.record(c, revision, KIND, s.id(), cert.name(), "create", null, EntityJson.certificate(s));
                return new Written<>(s, revision, true);
            }
            Stored<Certificate> before = existing.get();
            checkFree(c, cert, before.id());
            Stored<Certificate> after = update(c, before.id(), cert, sealed, revision);
            RevisionLog.record(c, revision, KIND, after.id(), cert.name(), "update",
                    EntityJson.certificate(before), EntityJson.certificate(after));
            return new Written<>(after, revision, false);
        });
    }

    public Written<Void> delete(String key, String ifMatch) {
        requireNonNull(key, "key");
        return log.write((c, revision) -> {
            Stored<Certificate> before = find(c, key, true).orElseThrow(() -> new NotFoundException(KIND, key));
            Precondition.check(ifMatch, before);
            Rows.deleteById(c, "certificates", before.id());
            RevisionLog.record(c, revision, KIND, before.id(), before.value().name(), "delete",
                    EntityJson.certificate(before), null);
            return new Written<>(null, revision, false);
        });
    }

    /** The decrypted PKCS#8 private key of one certificate, for the later push to the proxies; never for the API. */
    public byte[] privateKey(String key) {
        byte[] sealed = log.db().consistentRead(c -> {
            UUID id = Rows.asId(key);
            try (PreparedStatement ps = c.prepareStatement("SELECT key_ciphertext FROM certificates WHERE " + (id != null ? "id" : "name") + " = ?")) {
                ps.setObject(1, id != null ? id : key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        if (sealed == null) {
            throw new NotFoundException(KIND, key);
        }
        return masterKey.decrypt(sealed);
    }

    private static Optional<Stored<Certificate>> find(Connection c, String key, boolean lock) throws SQLException {
        UUID id = Rows.asId(key);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM certificates WHERE " + (id != null ? "id = ?" : "name = ?") + (lock ? " FOR UPDATE" : ""))) {
            ps.setObject(1, id != null ? id : key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The name belongs to no other certificate, nor each SNI to another one with the same key type (409). */
    private static void checkFree(Connection c, Certificate cert, UUID self) throws SQLException {
        Optional<Stored<Certificate>> holder = find(c, cert.name(), false);
        if (holder.isPresent() && !holder.get().id().equals(self)) {
            throw new ConflictException("name", "name: " + cert.name() + " (expected: a name no other certificate uses)");
        }
        if (cert.snis().isEmpty()) {
            return;
        }
        // An ECDSA and an RSA certificate may serve one SNI (the proxy gives each client the one it supports)
        String keyType = Pem.keyType(cert.cert());
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, snis, cert FROM certificates WHERE snis && ? AND id IS DISTINCT FROM ? ORDER BY name")) {
            ps.setArray(1, Rows.textArray(c, cert.snis()));
            ps.setObject(2, self);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!java.util.Objects.equals(keyType, Pem.keyType(rs.getString("cert")))) {
                        continue;
                    }
                    List<String> taken = new ArrayList<>(Rows.strings(rs, "snis"));
                    taken.retainAll(cert.snis());
                    int i = cert.snis().indexOf(taken.get(0));
                    throw new ConflictException("snis[" + i + "]", "snis[" + i + "]: " + taken.get(0)
                            + " (expected: an SNI no other certificate with a " + keyType + " key serves; certificate "
                            + rs.getString("name") + " does)");
                }
            }
        }
    }

    /** Every certificate with its sealed key, by name: what the snapshot builder pushes. */
    static List<SealedCertificate> sealedAll(Connection c) throws SQLException {
        return Rows.list(c, "SELECT name, cert, snis, key_ciphertext FROM certificates ORDER BY name",
                rs -> new SealedCertificate(rs.getString("name"), rs.getString("cert"), Rows.strings(rs, "snis"),
                        rs.getBytes("key_ciphertext")));
    }

    static List<Stored<Certificate>> all(Connection c) throws SQLException {
        return Rows.list(c, "SELECT * FROM certificates ORDER BY name", CertificateStore::read);
    }

    /**
     * The sealed key held for the leaf with {@code fingerprint}, from any certificate ever stored (see the
     * V8 migration); null when none. What lets a rollback or a key-less document entry keep its key.
     */
    static byte[] sealedKey(Connection c, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key_ciphertext FROM certificate_keys WHERE fingerprint_sha256 = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    static Stored<Certificate> insert(Connection c, UUID id, Certificate cert, byte[] sealed, long revision) throws SQLException {
        return write(c, """
                INSERT INTO certificates (name, tags, cert, key_ciphertext, snis, expires_at, fingerprint_sha256,
                    revision, id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now()) RETURNING *""", id, cert, sealed, revision);
    }

    static Stored<Certificate> update(Connection c, UUID id, Certificate cert, byte[] sealed, long revision) throws SQLException {
        return write(c, """
                UPDATE certificates SET name = ?, tags = ?, cert = ?, key_ciphertext = ?, snis = ?, expires_at = ?,
                    fingerprint_sha256 = ?, updated_at = now(), revision = ?
                WHERE id = ? RETURNING *""", id, cert, sealed, revision);
    }

    /**
     * Writes the row ({@code sql} binds the certificate, then revision and id) and remembers its sealed key
     * by the leaf's fingerprint, for later rollbacks.
     */
    private static Stored<Certificate> write(Connection c, String sql, UUID id, Certificate cert, byte[] sealed, long revision)
            throws SQLException {
        rememberKey(c, cert.fingerprintSha256(), sealed);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(c, ps, cert, sealed);
            ps.setLong(8, revision);
            ps.setObject(9, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    // The newest upload wins: it is as valid for the leaf as the old one, and it re-seals a key that an
    // earlier replica may have sealed under another master key.
    private static void rememberKey(Connection c, String fingerprint, byte[] sealed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO certificate_keys (fingerprint_sha256, key_ciphertext, updated_at) VALUES (?, ?, now())
                ON CONFLICT (fingerprint_sha256) DO UPDATE SET key_ciphertext = EXCLUDED.key_ciphertext, updated_at = now()""")) {
            ps.setString(1, fingerprint);
            ps.setBytes(2, sealed);
            ps.executeUpdate();
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Certificate cert, byte[] sealed) throws SQLException {
        ps.setString(1, cert.name());
        ps.setArray(2, Rows.textArray(c, cert.tags()));
        ps.setString(3, cert.cert());
        ps.setBytes(4, sealed);
        ps.setArray(5, Rows.textArray(c, cert.snis()));
        ps.setObject(6, OffsetDateTime.ofInstant(cert.expiresAt(), ZoneOffset.UTC));
        ps.setString(7, cert.fingerprintSha256());
    }

    private static Stored<Certificate> read(ResultSet rs) throws SQLException {
        Certificate cert = new Certificate(rs.getString("name"), Rows.strings(rs, "tags"), rs.getString("cert"),
                Rows.strings(rs, "snis"), Rows.instant(rs, "expires_at"), rs.getString("fingerprint_sha256"));
        return new Stored<>(Rows.uuid(rs, "id"), cert, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
