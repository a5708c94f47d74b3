package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The apply path's check of new certificates ({@link NewCertificateCheck}, BouncyCastle's ASN.1 structures in
 * place of the JDK's factories) refuses what the JDK path refuses: a key that is not the leaf's (EC and RSA,
 * alone and inside an EC batch), a key of another curve or algorithm, a leaf whose public point was altered, a
 * truncated leaf, bytes after the leaf's or the key's DER; and it still accepts the PEM layouts the JDK reads.
 */
class NewCertificateCheckTest {
    private static final SelfSigned.Pem EC_A = SelfSigned.create("EC", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem EC_B = SelfSigned.create("EC", List.of("b.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem RSA_A = SelfSigned.create("RSA", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem RSA_B = SelfSigned.create("RSA", List.of("b.test"), Duration.ofDays(1));
    /** Enough good EC certificates beside the one under test that the EC keys are checked as a batch. */
    private static final List<SelfSigned.Pem> OTHERS = IntStream.range(0, 10)
            .mapToObj(i -> SelfSigned.create("EC", List.of("o" + i + ".test"), Duration.ofDays(1))).toList();

    /** The errors of applying {@code chain} + {@code key} as new, alone or after ten good EC certificates. */
    private static List<String> errors(String chain, String key, boolean inBatch) {
        Snapshot.Builder s = Snapshot.newBuilder().setVersion(1);
        if (inBatch) {
            for (int i = 0; i < OTHERS.size(); i++) {
                s.addCertificates(Certificate.newBuilder().setName("o" + i).setCertChainPem(OTHERS.get(i).certChainPem())
                        .setPrivateKeyPem(OTHERS.get(i).privateKeyPem()).addSnis("o" + i + ".test"));
            }
        }
        s.addCertificates(Certificate.newBuilder().setName("c").setCertChainPem(chain).setPrivateKeyPem(key).addSnis("c.test"));
        List<ConfigError> errors = new ArrayList<>();
        TlsCertificates certs = TlsCertificates.prepare(s.build(), TlsCertificates.NONE, errors).build();
        if (errors.isEmpty()) {
            assertThat(certs.forSni("c.test", true)).isNotNull();
        }
        return errors.stream().map(e -> e.name() + " " + e.field() + " " + e.message()).toList();
    }

    @Test
    void eachLeafAcceptsItsOwnKeyOnlyAloneAndInABatch() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        String p384 = pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded());
        for (boolean batch : new boolean[] {false, true}) {
            assertThat(errors(EC_A.certChainPem(), EC_A.privateKeyPem(), batch)).isEmpty();
            assertThat(errors(RSA_A.certChainPem(), RSA_A.privateKeyPem(), batch)).isEmpty();
            assertThat(errors(EC_A.certChainPem(), EC_B.privateKeyPem(), batch)).containsExactly(
                    "c private_key_pem does not match the certificate's public key");
            assertThat(errors(RSA_A.certChainPem(), RSA_B.privateKeyPem(), batch)).containsExactly(
                    "c private_key_pem does not match the certificate's public key");
            assertThat(errors(EC_A.certChainPem(), p384, batch)).containsExactly(
                    "c private_key_pem does not match the certificate's public key");
            assertThat(errors(EC_A.certChainPem(), RSA_A.privateKeyPem(), batch)).singleElement().asString()
                    .startsWith("c private_key_pem does not parse");
        }
    }

    @Test
    void aLeafWhosePublicPointWasAlteredIsRefusedWhicheverByteChanged() {
        byte[] der = der(EC_A.certChainPem());
        byte[] point = org.bouncycastle.asn1.x509.Certificate.getInstance(der).getSubjectPublicKeyInfo().getPublicKeyData().getOctets();
        int at = indexOf(der, point);
        assertThat(at).isPositive();
        for (int i = 0; i < point.length; i++) { // byte 0 is the 04 of an uncompressed point
            byte[] altered = der.clone();
            altered[at + i] ^= 0x01;
            assertThat(errors(pem("CERTIFICATE", altered), EC_A.privateKeyPem(), true)).as("point byte %d", i).hasSize(1);
        }
    }

    @Test
    void aTruncatedLeafOrBytesAfterTheLeafOrTheKeyAreRefused() {
        byte[] der = der(EC_A.certChainPem());
        byte[] longer = java.util.Arrays.copyOf(der, der.length + 2); // a NULL after the certificate
        longer[der.length] = 0x05;
        assertThat(errors(pem("CERTIFICATE", java.util.Arrays.copyOf(der, der.length - 8)), EC_A.privateKeyPem(), false))
                .singleElement().asString().startsWith("c cert_chain_pem does not parse");
        assertThat(errors(pem("CERTIFICATE", longer), EC_A.privateKeyPem(), false))
                .singleElement().asString().startsWith("c cert_chain_pem does not parse");
        byte[] key = der(EC_A.privateKeyPem());
        byte[] longerKey = java.util.Arrays.copyOf(key, key.length + 2);
        longerKey[key.length] = 0x05;
        assertThat(errors(EC_A.certChainPem(), pem("PRIVATE KEY", longerKey), false))
                .singleElement().asString().startsWith("c private_key_pem does not parse");
    }

    @Test
    void theLayoutsTheJdkReadsStillParseAndTheOthersDoNot() {
        assertThat(errors(EC_A.certChainPem().replace("\n", "\r\n"), EC_A.privateKeyPem(), false)).isEmpty();
        assertThat(errors("subject=CN = a.test\n" + EC_A.certChainPem(), EC_A.privateKeyPem(), false)).isEmpty();
        assertThat(errors(EC_A.certChainPem() + EC_B.certChainPem(), EC_A.privateKeyPem(), false)).isEmpty(); // an intermediate
        String joined = EC_A.certChainPem().replaceFirst("-----BEGIN CERTIFICATE-----\\s+", "-----BEGIN CERTIFICATE-----");
        assertThat(errors(joined, EC_A.privateKeyPem(), false)).singleElement().asString().startsWith("c cert_chain_pem does not parse");
        assertThat(errors(EC_A.certChainPem() + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                EC_A.privateKeyPem(), false)).singleElement().asString().startsWith("c cert_chain_pem does not parse");
    }

    @Test
    void intermediatesOfTheSameLengthAsTheLastOnesAreReadNotReused() {
        // The intermediates after a leaf are reused when their text equals the last ones seen: a text of the same
        // length that differs (here a body of zeros, no certificate) must be parsed, and refused, on its own.
        String intermediate = EC_B.certChainPem();
        int bodyFrom = intermediate.indexOf('\n') + 1;
        int bodyTo = intermediate.indexOf("-----END");
        String zeros = intermediate.substring(0, bodyFrom)
                + intermediate.substring(bodyFrom, bodyTo).replaceAll("[^\n]", "A") + intermediate.substring(bodyTo);
        assertThat(zeros).hasSameSizeAs(intermediate).isNotEqualTo(intermediate);
        assertThat(errors(EC_A.certChainPem() + intermediate, EC_A.privateKeyPem(), false)).isEmpty();
        assertThat(errors(EC_A.certChainPem() + zeros, EC_A.privateKeyPem(), false))
                .singleElement().asString().startsWith("c cert_chain_pem does not parse");
    }

    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
