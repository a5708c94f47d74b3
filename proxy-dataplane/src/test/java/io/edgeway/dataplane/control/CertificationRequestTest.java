package io.edgeway.dataplane.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.tls.SelfSigned;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/**
 * The proxy's hand-made (JDK-only) CSR and PEM, read back by BouncyCastle as the control plane reads them:
 * the CSR parses, names the subject, carries the key and its signature verifies, also when the subject is
 * long enough for DER's long-form lengths; and a key or certificate written as PEM reads back equal.
 */
class CertificationRequestTest {
    @Test
    void theControlPlaneReadsTheRequestAndItsSignatureVerifies() throws Exception {
        for (String nodeId : List.of("node-1", "n".repeat(300))) {
            KeyPair pair = Pems.newEcKey();
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(CertificationRequest.der("CN=" + nodeId, pair));
            assertThat(new X500Principal(csr.getSubject().getEncoded())).isEqualTo(new X500Principal("CN=" + nodeId));
            assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
            assertThat(csr.getAttributes()).isEmpty();
            assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pair.getPublic()))).isTrue();
            // another key's signature does not verify: the check above is not vacuous
            assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(Pems.newEcKey().getPublic()))).isFalse();
        }
    }

    @Test
    void keysAndCertificatesWrittenAsPemReadBackEqual() {
        KeyPair pair = Pems.newEcKey();
        String keyPem = Pems.pem(pair.getPrivate());
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("\n-----END PRIVATE KEY-----\n");
        assertThat(keyPem.lines().filter(l -> !l.startsWith("-----"))).allMatch(l -> l.length() <= 64);
        assertThat(Pems.privateKey(keyPem).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());

        var cert = Pems.certificates(SelfSigned.create("EC", List.of("localhost"), Duration.ofDays(1)).certChainPem()).get(0);
        String certPem = Pems.pem(cert);
        assertThat(certPem).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(Pems.certificates(certPem)).containsExactly(cert);
    }
}
