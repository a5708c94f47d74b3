package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Stored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ACME client keeps in PostgreSQL besides the certificates: each managed certificate's status
 * ({@link AcmeStatus}), the accounts (keys sealed under the {@link MasterKey}), the HTTP-01 tokens the proxies
 * answer (pushed in the snapshot, so adding or removing one is a revision), and the log of orders placed that
 * the per-issuer budget counts. Issued chains and keys go into the certificate's own row, as a revision.
 */
public final class AcmeStore {
    private final RevisionLog log;
    private final MasterKey masterKey;

    public AcmeStore(RevisionLog log, MasterKey masterKey) {
        this.log = requireNonNull(log, "log");
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    public Database db() {
        return log.db();
    }

    public MasterKey masterKey() {
        return masterKey;
    }

    /** The status of managed certificate {@code name}; pending when the client has not looked at it yet. */
    public AcmeStatus status(String name) {
        return log.db().consistentRead(c -> status(c, name));
    }

    static AcmeStatus status(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM acme_status WHERE certificate_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : AcmeStatus.PENDING;
            }
        }
    }

    public Map<String, AcmeStatus> statuses() {
        return log.db().consistentRead(c -> {
            Map<String, AcmeStatus> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM acme_status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString("certificate_name"), read(rs));
                }
            }
            return out;
        });
    }

    /** Every managed certificate as stored (with its issued chain, if any). */
    public List<Stored<Certificate>> managed() {
        return log.db().consistentRead(c -> Rows.list(c, "SELECT * FROM certificates WHERE acme IS NOT NULL ORDER BY name",
                CertificateStore::read));
    }

    /** Managed certificate {@code name} as stored now; null when it is gone or no longer managed. */
    public Stored<Certificate> managed(String name) {
        return log.db().consistentRead(c -> Rows.list(c, "SELECT * FROM certificates WHERE acme IS NOT NULL AND name = ?",
                CertificateStore::read, name)).stream().findFirst().orElse(null);
    }

    /** The sealed EAB HMAC key of certificate {@code name}, opened; null when none. */
    public String eabHmac(String name) {
        byte[] sealed = log.db().consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT acme_eab_hmac FROM certificates WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        return sealed == null ? null : new String(masterKey.decrypt(sealed), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Asks for a new order now (the renew endpoint); false when {@code name} is not a managed certificate. */
    public boolean requestRenewal(String name) {
        return log.db().transaction(c -> {
            try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM certificates WHERE name = ? AND acme IS NOT NULL")) {
                check.setString(1, name);
                try (ResultSet rs = check.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO acme_status (certificate_name, status, renew_requested, next_attempt_at, updated_at)
                    VALUES (?, 'pending', true, now(), now())
                    ON CONFLICT (certificate_name) DO UPDATE SET renew_requested = true, next_attempt_at = now(),
                        updated_at = now()""")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return true;
        });
    }

    public void saveStatus(String name, AcmeStatus s) {
        log.db().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO acme_status (certificate_name, status, last_error, next_attempt_at, failures,
                        renew_requested, order_url, order_snis, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())
                    ON CONFLICT (certificate_name) DO UPDATE SET status = EXCLUDED.status,
                        last_error = EXCLUDED.last_error, next_attempt_at = EXCLUDED.next_attempt_at,
                        failures = EXCLUDED.failures, renew_requested = EXCLUDED.renew_requested,
                        order_url = EXCLUDED.order_url, order_snis = EXCLUDED.order_snis,
                        order_key = CASE WHEN EXCLUDED.order_url IS NULL THEN NULL ELSE acme_status.order_key END,
                        updated_at = now()""")) {
                ps.setString(1, name);
                ps.setString(2, s.status());
                ps.setString(3, s.lastError());
                ps.setObject(4, s.nextAttemptAt() == null ? null : OffsetDateTime.ofInstant(s.nextAttemptAt(), ZoneOffset.UTC));
                ps.setInt(5, s.failures());
                ps.setBoolean(6, s.renewRequested());
                ps.setString(7, s.orderUrl());
                ps.setArray(8, Rows.textArray(c, s.orderSnis()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Places {@code name}'s order in the status (a replica taking over resumes it) with its key, sealed. */
    public void orderPlaced(String name, String orderUrl, List<String> snis, byte[] pkcs8Key, AcmeStatus status) {
        saveStatus(name, new AcmeStatus(status.status(), status.lastError(), status.nextAttemptAt(), status.failures(),
                status.renewRequested(), orderUrl, snis));
        byte[] sealed = masterKey.encrypt(pkcs8Key);
        log.db().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_status SET order_key = ? WHERE certificate_name = ?")) {
                ps.setBytes(1, sealed);
                ps.setString(2, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The key of {@code name}'s order in progress, opened; null when none. */
    public byte[] orderKey(String name) {
        byte[] sealed = log.db().consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT order_key FROM acme_status WHERE certificate_name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        return sealed == null ? null : masterKey.decrypt(sealed);
    }

    /** The sealed account key and URL for {@code directory} and {@code email}; null when none yet. */
    public Account account(String directory, String email) {
        return log.db().consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_ciphertext, account_url FROM acme_accounts WHERE directory = ? AND email = ?")) {
                ps.setString(1, directory);
                ps.setString(2, email == null ? "" : email);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Account(masterKey.decrypt(rs.getBytes(1)), rs.getString(2)) : null;
                }
            }
        });
    }

    /** An account: its PKCS#8 key (opened) and URL. */
    public record Account(byte[] pkcs8Key, String url) {
        @Override
        public String toString() {
            return "Account[url=" + url + "]";
        }
    }

    public void saveAccount(String directory, String email, byte[] pkcs8Key, String url) {
        byte[] sealed = masterKey.encrypt(pkcs8Key);
        log.db().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO acme_accounts (directory, email, key_ciphertext, account_url, created_at)
                    VALUES (?, ?, ?, ?, now()) ON CONFLICT (directory, email) DO NOTHING""")) {
                ps.setString(1, directory);
                ps.setString(2, email == null ? "" : email);
                ps.setBytes(3, sealed);
                ps.setString(4, url);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Publishes HTTP-01 tokens to the fleet; returns the revision whose snapshot carries them. */
    public long addHttpChallenges(String certificate, Map<String, String> keyAuthorizationByToken) {
        return log.write((c, revision) -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO acme_http_challenges (token, key_authorization, certificate_name, created_at)
                    VALUES (?, ?, ?, now()) ON CONFLICT (token) DO NOTHING""")) {
                for (Map.Entry<String, String> e : keyAuthorizationByToken.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue());
                    ps.setString(3, certificate);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return new Written<>(revision, revision, false);
        }).value();
    }

    /**
     * Publishes TLS-ALPN-01 challenge certificates (PEM and PKCS#8 key, sealed here) by domain; returns the
     * revision whose snapshot carries them.
     */
    public long addTlsAlpnChallenges(String certificate, Map<String, Map.Entry<String, byte[]>> certAndKeyByDomain) {
        return log.write((c, revision) -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO acme_tls_alpn_challenges (domain, cert_pem, key_ciphertext, certificate_name, created_at)
                    VALUES (?, ?, ?, ?, now()) ON CONFLICT (domain) DO UPDATE SET cert_pem = EXCLUDED.cert_pem,
                        key_ciphertext = EXCLUDED.key_ciphertext, certificate_name = EXCLUDED.certificate_name""")) {
                for (Map.Entry<String, Map.Entry<String, byte[]>> e : certAndKeyByDomain.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue().getKey());
                    ps.setBytes(3, masterKey.encrypt(e.getValue().getValue()));
                    ps.setString(4, certificate);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return new Written<>(revision, revision, false);
        }).value();
    }

    /** Withdraws the challenges of {@code certificate} (the order is over), as a revision when there were any. */
    public void removeChallenges(String certificate) {
        log.writeIfChanged((c, bump) -> {
            int removed = 0;
            for (String table : List.of("acme_http_challenges", "acme_tls_alpn_challenges")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE certificate_name = ?")) {
                    ps.setString(1, certificate);
                    removed += ps.executeUpdate();
                }
            }
            return removed > 0 ? new Written<>(null, bump.getAsLong(), false) : new Written<>(null, 0, false);
        });
    }

    static List<SealedCertificate> tlsAlpnChallenges(Connection c) throws SQLException {
        return Rows.list(c, "SELECT domain, cert_pem, key_ciphertext FROM acme_tls_alpn_challenges ORDER BY domain",
                rs -> new SealedCertificate(rs.getString(1), rs.getString(2), List.of(rs.getString(1)), rs.getBytes(3)));
    }

    static Map<String, String> httpChallenges(Connection c) throws SQLException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT token, key_authorization FROM acme_http_challenges");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /**
     * Stores an issued chain and its key for managed certificate {@code name}: a revision, so the next snapshot
     * carries it to every proxy (which swap it in without dropping a connection). Logged as an update by "acme".
     */
    public long issued(String name, String chainPem, byte[] pkcs8Key, Instant expiresAt, String fingerprint) {
        byte[] sealed = masterKey.encrypt(pkcs8Key);
        String actor = Actor.current();
        Actor.set("acme");
        try {
            return log.write((c, revision) -> {
                Stored<Certificate> before = EntityWrites.find(c, CertificateStore.KIND, name, true)
                        .orElseThrow(() -> new NotFoundException("certificate", name));
                ManagedCertificateRows.issued(c, name, chainPem, sealed, expiresAt, fingerprint, revision);
                Stored<Certificate> after = EntityWrites.find(c, CertificateStore.KIND, name, false).orElseThrow();
                RevisionLog.record(c, revision, "certificate", after.id(), name, "update",
                        EntityJson.certificate(before), EntityJson.certificate(after));
                return new Written<>(revision, revision, false);
            }).value();
        } finally {
            Actor.set(Actor.UNKNOWN.equals(actor) ? null : actor);
        }
    }

    /** Records an order placed with {@code directory}, for the budget. */
    public void orderPlaced(String directory, String certificate) {
        log.db().transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO acme_order_log (directory, certificate_name, placed_at) VALUES (?, ?, now())")) {
                ps.setString(1, directory);
                ps.setString(2, certificate);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Orders placed with {@code directory} since {@code since}. */
    public int ordersSince(String directory, Instant since) {
        return log.db().consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM acme_order_log WHERE directory = ? AND placed_at > ?")) {
                ps.setString(1, directory);
                ps.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private static AcmeStatus read(ResultSet rs) throws SQLException {
        return new AcmeStatus(rs.getString("status"), rs.getString("last_error"), Rows.instant(rs, "next_attempt_at"),
                rs.getInt("failures"), rs.getBoolean("renew_requested"), rs.getString("order_url"),
                rs.getArray("order_snis") == null ? List.of() : Rows.strings(rs, "order_snis"));
    }
}
