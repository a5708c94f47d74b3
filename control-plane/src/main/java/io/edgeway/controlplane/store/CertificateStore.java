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
import java.util.UUID;

/**
 * TLS certificates in PostgreSQL. The private key is stored only as AES-256-GCM ciphertext under the
 * {@link MasterKey}, and neither the API view nor the revision log holds it; {@code certificate_keys} keeps
 * each sealed key by its leaf's fingerprint, so a rollback can restore a deleted certificate with its key.
 * Every write goes through the revision log. Pushed to the proxies in the snapshot ({@link #sealedAll}), the
 * key decrypted only while the snapshot is built.
 */
public final class CertificateStore {
    /** Reads and checks only: a write supplies its sealed key through {@link #sealing}. */
    static final EntityKind<Certificate> KIND = EntityKind.<Certificate>of("certificate", "certificates",
                    "SELECT * FROM certificates", null, CertificateStore::read, Certificate::name, EntityJson::certificate,
                    (c, id, cert, revision) -> { throw new IllegalStateException("a certificate is written with its key"); },
                    (c, id, cert, revision) -> { throw new IllegalStateException("a certificate is written with its key"); })
            .withConflictCheck(CertificateStore::checkSnisFree);

    private final RevisionLog log;
    private final MasterKey masterKey;

    public CertificateStore(RevisionLog log, MasterKey masterKey) {
        this.log = requireNonNull(log, "log");
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    /** Up to {@code limit} certificates having every tag in {@code tags}, in name order from {@code offset}. */
    public List<Stored<Certificate>> page(List<String> tags, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, limit, offset);
    }

    /** A page of those whose name contains {@code nameContains} (any case; null: all). */
    public List<Stored<Certificate>> page(List<String> tags, String nameContains, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, nameContains, limit, offset);
    }

    /** Every certificate, in name order (the expiry report reads them all). */
    public List<Stored<Certificate>> list() {
        return log.db().consistentRead(CertificateStore::all);
    }

    public Stored<Certificate> get(String key) {
        return EntityWrites.get(log, KIND, key);
    }

    /**
     * {@code privateKey}: the PKCS#8 DER the request's key parsed to; encrypted before it reaches the database.
     * Null for a managed certificate (the ACME client makes its key).
     */
    public Written<Stored<Certificate>> create(Certificate cert, byte[] privateKey) {
        requireNonNull(cert, "cert");
        return EntityWrites.create(log, sealing(sealKeyFor(cert, privateKey), sealedEabHmac(cert)), cert);
    }

    private byte[] sealKeyFor(Certificate cert, byte[] privateKey) {
        return cert.managed() ? null : masterKey.encrypt(requireNonNull(privateKey, "privateKey"));
    }

    private byte[] sealedEabHmac(Certificate cert) {
        return cert.managed() && cert.acme().eabHmac() != null
                ? masterKey.encrypt(cert.acme().eabHmac().getBytes(java.nio.charset.StandardCharsets.US_ASCII)) : null;
    }

    /** Replaces (when {@code ifMatch} matches) the certificate {@code key} names, or creates it when {@code key} is an unused name. */
    public Written<Stored<Certificate>> put(String key, Certificate cert, byte[] privateKey, String ifMatch) {
        requireNonNull(key, "key");
        requireNonNull(cert, "cert");
        return EntityWrites.put(log, sealing(sealKeyFor(cert, privateKey), sealedEabHmac(cert)), key, cert, ifMatch);
    }

    public Written<Void> delete(String key, String ifMatch) {
        return EntityWrites.delete(log, KIND, key, ifMatch);
    }

    /**
     * The kind written with {@code sealed} as the private key of the certificate it writes ({@code sealedEab}:
     * a managed certificate's EAB HMAC key, null to keep the stored one).
     */
    static EntityKind<Certificate> sealing(byte[] sealed, byte[] sealedEab) {
        return KIND.withWrites((c, id, cert, revision) -> insert(c, id, cert, sealed, revision, sealedEab),
                (c, id, cert, revision) -> update(c, id, cert, sealed, revision, sealedEab));
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
            throw new NotFoundException(KIND.kind(), key);
        }
        return masterKey.decrypt(sealed);
    }

    /** Each SNI belongs to no other certificate (409). */
    private static void checkSnisFree(Connection c, Certificate cert, UUID self) throws SQLException {
        if (cert.snis().isEmpty()) {
            return;
        }
        // An ECDSA and an RSA certificate may serve one SNI (the proxy gives each client the one it supports)
        String keyType = keyType(cert.cert(), cert.managed());
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, snis, cert, acme IS NOT NULL AS managed FROM certificates WHERE snis && ? AND id IS DISTINCT FROM ? ORDER BY name")) {
            ps.setArray(1, Rows.textArray(c, cert.snis()));
            ps.setObject(2, self);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!java.util.Objects.equals(keyType, keyType(rs.getString("cert"), rs.getBoolean("managed")))) {
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

    /** The ACME client makes EC P-256 keys: a managed certificate counts as EC, issued or not. */
    private static String keyType(String pem, boolean managed) {
        return managed ? "EC" : Pem.keyType(pem);
    }

    /** Every certificate with its sealed key, by name: what the snapshot builder pushes (managed ones once issued). */
    static List<SealedCertificate> sealedAll(Connection c) throws SQLException {
        return Rows.list(c, "SELECT name, cert, snis, key_ciphertext FROM certificates WHERE cert IS NOT NULL ORDER BY name",
                rs -> new SealedCertificate(rs.getString("name"), rs.getString("cert"), Rows.strings(rs, "snis"),
                        rs.getBytes("key_ciphertext")));
    }

    static List<Stored<Certificate>> all(Connection c) throws SQLException {
        return EntityWrites.all(c, KIND);
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
        return insert(c, id, cert, sealed, revision, null);
    }

    static Stored<Certificate> insert(Connection c, UUID id, Certificate cert, byte[] sealed, long revision, byte[] sealedEab)
            throws SQLException {
        if (cert.managed()) {
            return ManagedCertificateRows.insert(c, id, cert, revision, sealedEab);
        }
        return write(c, """
                INSERT INTO certificates (name, tags, cert, key_ciphertext, snis, expires_at, fingerprint_sha256,
                    revision, id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now()) RETURNING *""", id, cert, sealed, revision);
    }

    static Stored<Certificate> update(Connection c, UUID id, Certificate cert, byte[] sealed, long revision) throws SQLException {
        return update(c, id, cert, sealed, revision, null);
    }

    /** A managed certificate's update keeps the chain and key it was issued (the ACME client replaces them). */
    static Stored<Certificate> update(Connection c, UUID id, Certificate cert, byte[] sealed, long revision, byte[] sealedEab)
            throws SQLException {
        if (cert.managed()) {
            return ManagedCertificateRows.update(c, id, cert, revision, sealedEab);
        }
        return write(c, """
                UPDATE certificates SET name = ?, tags = ?, cert = ?, key_ciphertext = ?, snis = ?, expires_at = ?,
                    fingerprint_sha256 = ?, updated_at = now(), revision = ?, acme = NULL, acme_eab_hmac = NULL
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

    static Stored<Certificate> read(ResultSet rs) throws SQLException {
        Certificate cert = new Certificate(rs.getString("name"), Rows.strings(rs, "tags"), rs.getString("cert"),
                Rows.strings(rs, "snis"), Rows.instant(rs, "expires_at"), rs.getString("fingerprint_sha256"),
                ManagedCertificateRows.acme(rs.getString("acme")));
        return new Stored<>(Rows.uuid(rs, "id"), cert, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
