package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key-to-certificate check that makes a wrong key a Nack, now derived from the private key (EC point
 * multiplication, RSA modulus and exponent) instead of a test signature: each key type still tells its own
 * key from another one, another curve's, or another algorithm's.
 */
class KeyMatchTest {
    private static final SelfSigned.Pem EC_A = SelfSigned.create("EC", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem EC_B = SelfSigned.create("EC", List.of("b.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem RSA_A = SelfSigned.create("RSA", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem RSA_B = SelfSigned.create("RSA", List.of("b.test"), Duration.ofDays(1));

    private static List<ConfigError> check(SelfSigned.Pem chain, String keyPem) {
        List<ConfigError> errors = new ArrayList<>();
        ParsedCertificate.parse(Certificate.newBuilder().setName("c").setCertChainPem(chain.certChainPem())
                .setPrivateKeyPem(keyPem).addSnis("a.test").build(), "c", errors);
        return errors;
    }

    @Test
    void eachCertificateAcceptsItsOwnKeyOnly() {
        assertThat(check(EC_A, EC_A.privateKeyPem())).isEmpty();
        assertThat(check(RSA_A, RSA_A.privateKeyPem())).isEmpty();
        assertThat(check(EC_A, EC_B.privateKeyPem())).singleElement().asString().contains("does not match");
        assertThat(check(RSA_A, RSA_B.privateKeyPem())).singleElement().asString().contains("does not match");
        assertThat(check(EC_A, RSA_A.privateKeyPem())).singleElement().asString().contains("does not parse");
    }

    @Test
    void anEcKeyOnAnotherCurveDoesNotMatch() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        PrivateKey p384 = g.generateKeyPair().getPrivate();
        var leaf = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(EC_A.certChainPem().getBytes()));
        assertThat(KeyMatch.matches(p384, leaf)).isFalse();
    }
}
