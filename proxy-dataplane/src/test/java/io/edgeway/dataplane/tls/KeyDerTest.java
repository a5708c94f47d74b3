package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * {@link KeyDer} against the BouncyCastle typed parse it replaced ({@code Certificate.getInstance},
 * {@code PrivateKeyInfo.getInstance}, {@code ECPrivateKey}): the same public key and secret for real certificates
 * and keys, and, for the same bytes with one byte changed, a length cut or a byte added, never an answer where
 * BouncyCastle refuses, nor a different one where both answer. Plus the malformed forms DER forbids outright.
 */
class KeyDerTest {
    /** Certificates with a few names each (extensions), of every key type the check serves. */
    private static final List<SelfSigned.Pem> SAMPLES = List.of(
            SelfSigned.create("EC", List.of("a.test"), Duration.ofDays(1)),
            SelfSigned.create("EC", List.of("a.test", "*.b.test", "c.test"), Duration.ofDays(30)),
            SelfSigned.create("RSA", List.of("r.test"), Duration.ofDays(1)));

    @Property(tries = 200)
    void readsWhatBouncyCastleReadsFromRealOnes(@ForAll("samples") SelfSigned.Pem sample) {
        byte[] cert = der(sample.certChainPem(), "CERTIFICATE");
        byte[] key = der(sample.privateKeyPem(), "PRIVATE KEY");
        assertThat(ours(cert)).isEqualTo(reference(cert)).isNotEqualTo("refused");
        assertThat(oursKey(key)).isEqualTo(referenceKey(key)).isNotEqualTo("refused");
    }

    @Property(tries = 4000)
    void neverAcceptsACertificateBouncyCastleRefusesNorReadsAnotherKey(@ForAll("samples") SelfSigned.Pem sample,
                                                                         @ForAll("edits") Edit edit) {
        byte[] cert = edit.apply(der(sample.certChainPem(), "CERTIFICATE"));
        String ours = ours(cert);
        if (!ours.equals("refused")) {
            assertThat(ours).isEqualTo(reference(cert));
        }
    }

    @Property(tries = 4000)
    void neverAcceptsAKeyBouncyCastleRefusesNorReadsAnotherSecret(@ForAll("ecSamples") SelfSigned.Pem sample,
                                                                  @ForAll("edits") Edit edit) {
        byte[] key = edit.apply(der(sample.privateKeyPem(), "PRIVATE KEY"));
        String ours = oursKey(key);
        if (!ours.equals("refused")) {
            assertThat(ours).isEqualTo(referenceKey(key));
        }
    }

    @Example
    void refusesWhatDerForbids() {
        byte[] cert = der(SAMPLES.get(0).certChainPem(), "CERTIFICATE");
        byte[] trailing = Arrays.copyOf(cert, cert.length + 1);
        assertThatThrownBy(() -> KeyDer.certificateKey(trailing)).isInstanceOf(Der.Malformed.class);
        assertThatThrownBy(() -> KeyDer.certificateKey(Arrays.copyOf(cert, cert.length - 1))).isInstanceOf(Der.Malformed.class);
        // indefinite length (BER), and a length in the long form where the short one fits
        assertThatThrownBy(() -> new Der(new byte[] {0x30, (byte) 0x80, 0, 0}, 0, 4).checkAll()).isInstanceOf(Der.Malformed.class);
        assertThatThrownBy(() -> new Der(new byte[] {0x04, (byte) 0x81, 0x01, 0}, 0, 4).checkAll()).isInstanceOf(Der.Malformed.class);
        assertThatThrownBy(() -> new Der(new byte[] {0x02, 0x02, 0x00, 0x01}, 0, 4).checkAll()).isInstanceOf(Der.Malformed.class);
        new Der(new byte[] {0x04, (byte) 0x81, (byte) 0x80}, 0, 3); // a reader alone reads nothing
        assertThat(KeyDer.certificateKey(cert).algorithm().is(KeyDer.EC_PUBLIC_KEY)).isTrue();
    }

    @Example
    void deepNestingIsRefusedNotRecursedWithoutBound() {
        byte[] nested = new byte[200];
        for (int i = 0; i < 100; i++) {
            nested[2 * i] = 0x30;
            nested[2 * i + 1] = (byte) (198 - 2 * i);
        }
        assertThatThrownBy(() -> new Der(nested, 0, nested.length).checkAll()).isInstanceOf(Der.Malformed.class);
    }

    /** One edit of a DER encoding: a byte set, a cut at the end, or a byte inserted. */
    record Edit(int kind, int at, int value) {
        byte[] apply(byte[] der) {
            int i = at % der.length;
            return switch (kind) {
                case 0 -> {
                    byte[] b = der.clone();
                    b[i] = (byte) value;
                    yield b;
                }
                case 1 -> Arrays.copyOf(der, i);
                default -> {
                    byte[] b = new byte[der.length + 1];
                    System.arraycopy(der, 0, b, 0, i);
                    b[i] = (byte) value;
                    System.arraycopy(der, i, b, i + 1, der.length - i);
                    yield b;
                }
            };
        }
    }

    @Provide
    Arbitrary<Edit> edits() {
        // mostly byte changes, weighted toward the headers near the start where the structure is
        Arbitrary<Integer> kind = Arbitraries.frequency(List.of(
                net.jqwik.api.Tuple.of(8, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2)));
        Arbitrary<Integer> at = Arbitraries.oneOf(Arbitraries.integers().between(0, 64), Arbitraries.integers().between(0, 4096));
        Arbitrary<Integer> value = Arbitraries.oneOf(Arbitraries.integers().between(0, 255),
                Arbitraries.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x30, 0x31, 0x80, 0x81, 0x82, 0xa0, 0xa3, 0xff));
        return Combinators.combine(kind, at, value).as(Edit::new);
    }

    @Provide
    Arbitrary<SelfSigned.Pem> samples() {
        return Arbitraries.of(SAMPLES);
    }

    @Provide
    Arbitrary<SelfSigned.Pem> ecSamples() {
        return Arbitraries.of(SAMPLES.get(0), SAMPLES.get(1));
    }

    /** "refused", or the algorithm OID and key bits in hex. */
    private static String ours(byte[] cert) {
        try {
            KeyDer.PublicKey k = KeyDer.certificateKey(cert);
            KeyDer.Algorithm a = k.algorithm();
            return hex(Arrays.copyOfRange(a.der(), a.oidFrom(), a.oidTo())) + " " + hex(k.key());
        } catch (Der.Malformed e) {
            return "refused";
        }
    }

    private static String reference(byte[] cert) {
        try {
            SubjectPublicKeyInfo spki = Certificate.getInstance(cert).getSubjectPublicKeyInfo();
            byte[] oid = spki.getAlgorithm().getAlgorithm().getEncoded();
            return hex(Arrays.copyOfRange(oid, 2, oid.length)) + " " + hex(spki.getPublicKeyData().getOctets());
        } catch (Exception e) {
            return "refused";
        }
    }

    private static String oursKey(byte[] key) {
        try {
            KeyDer.PrivateKey k = KeyDer.pkcs8(key);
            if (!k.algorithm().is(KeyDer.EC_PUBLIC_KEY)) {
                return "not EC";
            }
            return KeyDer.ecSecret(k.der(), k.keyFrom(), k.keyTo()).toString(16);
        } catch (Der.Malformed e) {
            return "refused";
        }
    }

    private static String referenceKey(byte[] key) {
        try {
            if (!ParsedCertificate.isOneDerElement(key)) {
                return "refused"; // NewCertificateCheck required this before BouncyCastle's parse
            }
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key);
            if (!info.getPrivateKeyAlgorithm().getAlgorithm().getId().equals("1.2.840.10045.2.1")) {
                return "not EC";
            }
            BigInteger d = ECPrivateKey.getInstance(info.parsePrivateKey()).getKey();
            return d.toString(16);
        } catch (Exception e) {
            return "refused";
        }
    }

    private static byte[] der(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        int from = pem.indexOf(begin) + begin.length();
        return Base64.getMimeDecoder().decode(pem.substring(from, pem.indexOf("-----END " + type + "-----")));
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
