package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.SealedCertificate;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A snapshot build reuses the opened key of a certificate whose stored row is unchanged, and only then: a new
 * chain, new SNIs or a re-sealed key is opened and written afresh, so a build never pushes a stale certificate.
 */
class CertificatePushReuseTest {
    private final MasterKey masterKey = TestCerts.masterKey();
    private final CertificatePush push = new CertificatePush(masterKey);

    @Test
    void anUnchangedCertificateIsReusedAndEveryChangedOneIsOpenedAgain() {
        SealedCertificate a = sealed("a", "chain-a", List.of("a.test"), "key-a");
        SealedCertificate b = sealed("b", "chain-b", List.of("b.test"), "key-b");
        SealedCertificate c = sealed("c", "chain-c", List.of("c.test"), "key-c");
        List<Certificate> first = build(a, b, c);
        assertThat(first).extracting(Certificate::getPrivateKeyPem).allSatisfy(pem -> assertThat(pem).startsWith("-----BEGIN"));

        // the same rows read again (new objects, equal contents): the same messages, keys not opened again
        List<Certificate> again = build(copy(a), copy(b), copy(c));
        for (int i = 0; i < 3; i++) {
            assertThat(again.get(i)).isSameAs(first.get(i));
        }

        // each changes one thing and keeps the others, the sealed bytes included where the key is the same
        SealedCertificate newChain = new SealedCertificate("a", "chain-a2", List.of("a.test"), a.sealedKey());
        SealedCertificate newSnis = new SealedCertificate("b", "chain-b", List.of("b.test", "www.b.test"), b.sealedKey());
        SealedCertificate newKey = sealed("c", "chain-c", List.of("c.test"), "key-c2");
        List<Certificate> changed = build(newChain, newSnis, newKey);
        assertThat(changed.get(0).getCertChainPem()).isEqualTo("chain-a2");
        assertThat(changed.get(1).getSnisList()).containsExactly("b.test", "www.b.test");
        assertThat(changed.get(2).getPrivateKeyPem()).isEqualTo(pem("key-c2"));
        assertThat(changed.get(2).getPrivateKeyPem()).isNotEqualTo(first.get(2).getPrivateKeyPem());
    }

    @Test
    void aCertificateRemovedAndAddedBackIsOpenedAgain() {
        SealedCertificate a = sealed("a", "chain-a", List.of("a.test"), "key-a");
        SealedCertificate b = sealed("b", "chain-b", List.of("b.test"), "key-b");
        Certificate firstB = build(a, b).get(1);
        build(a);
        assertThat(build(a, b).get(1)).isNotSameAs(firstB).isEqualTo(firstB);
    }

    private List<Certificate> build(SealedCertificate... certificates) {
        ConfigState state = new ConfigState(1, List.of(), List.of(), List.of(certificates), List.of());
        Snapshot.Builder b = Snapshot.newBuilder();
        push.addTo(state, b);
        return b.getCertificatesList();
    }

    private SealedCertificate sealed(String name, String chain, List<String> snis, String key) {
        return new SealedCertificate(name, chain, snis, masterKey.encrypt(key.getBytes(StandardCharsets.US_ASCII)));
    }

    private static SealedCertificate copy(SealedCertificate c) {
        return new SealedCertificate(new String(c.name()), new String(c.certChainPem()), List.copyOf(c.snis()),
                c.sealedKey().clone());
    }

    private static String pem(String key) {
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.US_ASCII))
                + "\n-----END PRIVATE KEY-----\n";
    }
}
