package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.SealedCertificate;
import com.google.protobuf.ByteString;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the session ticket keys (newest first, see {@link io.edgeway.controlplane.store.SessionTicketKeys})
 * and the stored certificates into a snapshot, each private key opened from its AES-256-GCM seal under the
 * {@link MasterKey} and written as PKCS#8 PEM. The opened key exists only in the snapshot's bytes, which
 * travel to the proxies and nowhere else (never logged: see the proto's note on toString()).
 */
final class CertificatePush {
    private static final Logger log = LoggerFactory.getLogger(CertificatePush.class);
    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private final MasterKey masterKey;
    /**
     * The last build's certificates by name. Each build used to open every key again (10,000 AES-GCM opens and
     * PEM encodings for a one-route write); a certificate whose row is unchanged now reuses its message. Confined
     * to the builder thread (the single-flight refresher), like the builder that calls this.
     */
    private Map<String, Opened> opened = Map.of();

    CertificatePush(MasterKey masterKey) {
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    void addTo(ConfigState state, Snapshot.Builder snapshot) {
        for (byte[] sealed : state.sealedTicketKeys()) {
            byte[] key;
            try {
                key = masterKey.decrypt(sealed);
            } catch (IllegalStateException e) {
                log.error("a session ticket key is not decryptable with this replica's master key; not pushed");
                continue;
            }
            snapshot.addSessionTicketKeys(SessionTicketKey.newBuilder()
                    .setName(ByteString.copyFrom(key, 0, 16))
                    .setHmacKey(ByteString.copyFrom(key, 16, 16))
                    .setAesKey(ByteString.copyFrom(key, 32, 16)));
        }
        Map<String, Opened> next = new HashMap<>();
        for (SealedCertificate c : state.certificates()) {
            Opened before = opened.get(c.name());
            if (before != null && before.sameAs(c)) {
                // the same sealed bytes under the same master key open to the same key: not opened again
                snapshot.addCertificates(before.proto());
                next.put(c.name(), before);
                continue;
            }
            byte[] der;
            try {
                der = masterKey.decrypt(c.sealedKey());
            } catch (IllegalStateException e) {
                // Sealed under another replica's master key: pushing the rest beats pushing nothing. Named, so
                // the operator can fix EDGEWAY_MASTER_KEY; the proxies keep serving the other certificates.
                log.error("certificate {}: private key not decryptable with this replica's master key; not pushed",
                        c.name());
                continue;
            }
            // The two PEMs as UTF-8 bytes made once here (the JDK's copy of an ASCII string): a String field is
            // re-encoded character by character by protobuf at every size and write, 16 MB twice per build for
            // 10,000 certificates, in code still interpreted in a control plane's first such build.
            Certificate proto = Certificate.newBuilder()
                    .setName(c.name())
                    .setCertChainPemBytes(ByteString.copyFromUtf8(c.certChainPem()))
                    .setPrivateKeyPemBytes(ByteString.copyFrom(pem(der), StandardCharsets.US_ASCII))
                    .addAllSnis(c.snis())
                    .build();
            snapshot.addCertificates(proto);
            next.put(c.name(), new Opened(c, proto));
        }
        opened = next; // only the last build's: a certificate removed since is forgotten with its key
    }

    /** A certificate as the last build put it in the snapshot, its key opened; kept while it stays the same. */
    private record Opened(SealedCertificate sealed, Certificate proto) {
        boolean sameAs(SealedCertificate c) {
            return sealed.certChainPem().equals(c.certChainPem()) && sealed.snis().equals(c.snis())
                    && Arrays.equals(sealed.sealedKey(), c.sealedKey());
        }
    }

    /** The TLS-ALPN-01 challenge certificates, their throwaway keys opened like the certificates'. */
    void addTlsAlpnChallenges(ConfigState state, Snapshot.Builder snapshot) {
        for (SealedCertificate c : state.acmeTlsAlpnChallenges()) {
            byte[] der;
            try {
                der = masterKey.decrypt(c.sealedKey());
            } catch (IllegalStateException e) {
                log.error("acme tls-alpn-01 challenge {}: key not decryptable with this replica's master key; not pushed", c.name());
                continue;
            }
            snapshot.addAcmeTlsAlpnChallenges(io.edgeway.proto.v1.AcmeTlsAlpnChallenge.newBuilder()
                    .setDomain(c.name()).setCertPem(c.certChainPem()).setPrivateKeyPem(pem(der)));
        }
    }

    static void addChallenges(ConfigState state, Snapshot.Builder snapshot) {
        // sorted (the state's map is a TreeMap copy): equal states serialize to equal bytes on every replica
        new java.util.TreeMap<>(state.acmeHttpChallenges()).forEach((token, keyAuthorization) -> snapshot.addAcmeHttpChallenges(
                io.edgeway.proto.v1.AcmeHttpChallenge.newBuilder().setToken(token).setKeyAuthorization(keyAuthorization)));
    }

    private static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + PEM_BASE64.encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
    }
}
