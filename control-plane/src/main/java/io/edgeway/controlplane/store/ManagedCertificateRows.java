package io.edgeway.controlplane.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edgeway.controlplane.model.AcmeSpec;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Stored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The rows of managed (ACME) certificates: the declared part (name, tags, SNIs, the ACME spec without its EAB
 * secret, which sits sealed beside it) is what the API and a document write; the chain, key, expiry and
 * fingerprint are the ACME client's, kept through every declared update and replaced only by an issuance.
 */
final class ManagedCertificateRows {
    private ManagedCertificateRows() {}

    static Stored<Certificate> insert(Connection c, UUID id, Certificate cert, long revision, byte[] sealedEab)
            throws SQLException {
        // A new certificate starts afresh: no backoff, error or order left by an earlier one of the same name
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_status WHERE certificate_name = ?")) {
            ps.setString(1, cert.name());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO certificates (name, tags, snis, acme, acme_eab_hmac, revision, id, created_at, updated_at)
                VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, now(), now()) RETURNING *""")) {
            bind(c, ps, cert, sealedEab, revision, id);
            return one(ps);
        }
    }

    /** {@code sealedEab} null keeps the stored EAB key (a document or view never carries it). */
    static Stored<Certificate> update(Connection c, UUID id, Certificate cert, long revision, byte[] sealedEab)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE certificates SET name = ?, tags = ?, snis = ?, acme = ?::jsonb,
                    acme_eab_hmac = COALESCE(?, acme_eab_hmac), revision = ?, updated_at = now()
                WHERE id = ? RETURNING *""")) {
            bind(c, ps, cert, sealedEab, revision, id);
            return one(ps);
        }
    }

    /** Stores a chain and key the ACME client obtained for certificate {@code name} (a revision of its own). */
    static void issued(Connection c, String name, String chainPem, byte[] sealedKey, java.time.Instant expiresAt,
                       String fingerprint, long revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE certificates SET cert = ?, key_ciphertext = ?, expires_at = ?, fingerprint_sha256 = ?,
                    revision = ?, updated_at = now()
                WHERE name = ? AND acme IS NOT NULL""")) {
            ps.setString(1, chainPem);
            ps.setBytes(2, sealedKey);
            ps.setObject(3, java.time.OffsetDateTime.ofInstant(expiresAt, java.time.ZoneOffset.UTC));
            ps.setString(4, fingerprint);
            ps.setLong(5, revision);
            ps.setString(6, name);
            ps.executeUpdate();
        }
    }

    static AcmeSpec acme(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return EntityJson.readAcme(EntityJson.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new SQLException("certificates.acme: not JSON", e);
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Certificate cert, byte[] sealedEab, long revision, UUID id)
            throws SQLException {
        ps.setString(1, cert.name());
        ps.setArray(2, Rows.textArray(c, cert.tags()));
        ps.setArray(3, Rows.textArray(c, cert.snis()));
        try {
            ps.setString(4, EntityJson.MAPPER.writeValueAsString(EntityJson.acme(cert.acme())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ps.setBytes(5, sealedEab);
        ps.setLong(6, revision);
        ps.setObject(7, id);
    }

    private static Stored<Certificate> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return CertificateStore.read(rs);
        }
    }
}
