package io.edgeway.controlplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The key check of a certificate write ({@link Pem#privateKey}): an EC key is accepted for its own leaf only, now
 * that it is checked by d·G instead of a test signature. Keys and leaves are made in memory, several per curve.
 */
class PemKeyMatchTest {
    @Test
    void eachEcLeafAcceptsItsOwnKeyAndNoOther() throws Exception {
        for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
            KeyPair a = ec(curve);
            KeyPair b = ec(curve);
            X509Certificate leafA = leaf(a, "SHA256withECDSA");
            X509Certificate leafB = leaf(b, "SHA256withECDSA");
            assertThat(Pem.privateKey(pem(a.getPrivate()), leafA)).isEqualTo(a.getPrivate().getEncoded());
            assertThat(Pem.privateKey(pem(b.getPrivate()), leafB)).isEqualTo(b.getPrivate().getEncoded());
            assertMismatch(b.getPrivate(), leafA);
            assertMismatch(a.getPrivate(), leafB);
        }
    }

    @Test
    void aKeyOneAwayFromTheLeafsOrOnAnotherCurveIsRefused() throws Exception {
        KeyPair a = ec("secp256r1");
        X509Certificate leaf = leaf(a, "SHA256withECDSA");
        ECPrivateKey own = (ECPrivateKey) a.getPrivate();
        KeyFactory ec = KeyFactory.getInstance("EC");
        for (BigInteger d : new BigInteger[] {own.getS().add(BigInteger.ONE), own.getS().subtract(BigInteger.ONE),
                own.getParams().getOrder().subtract(own.getS())}) { // n - d: the point with the same x, the other y
            assertMismatch(ec.generatePrivate(new ECPrivateKeySpec(d, own.getParams())), leaf);
        }
        assertMismatch(ec("secp384r1").getPrivate(), leaf);
        X509Certificate p384Leaf = leaf(ec("secp384r1"), "SHA384withECDSA");
        assertMismatch(own, p384Leaf);
    }

    @Test
    void anRsaKeyIsStillCheckedBySignature() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        X509Certificate leafA = leaf(a, "SHA256withRSA");
        assertThat(Pem.privateKey(pem(a.getPrivate()), leafA)).isEqualTo(a.getPrivate().getEncoded());
        assertMismatch(b.getPrivate(), leafA);
    }

    private static void assertMismatch(PrivateKey key, X509Certificate leaf) {
        assertThatThrownBy(() -> Pem.privateKey(pem(key), leaf))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("key: does not match the certificate");
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static X509Certificate leaf(KeyPair key, String signature) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=key-match.test"), BigInteger.TWO, Date.from(now),
                Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name("CN=key-match.test"), key.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(signature).build(key.getPrivate())));
    }

    private static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
