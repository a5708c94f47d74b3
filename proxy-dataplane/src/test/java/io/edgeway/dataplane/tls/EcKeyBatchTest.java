package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPrivateKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;

/**
 * The EC keys of a snapshot are checked against their certificates all at once (a random linear
 * combination): the Nack must still name exactly the certificates whose key does not match, also when the
 * wrong keys are wrong in ways that a sum without random weights would not see.
 */
class EcKeyBatchTest {
    private static final int COUNT = 24; // above the batch's minimum, so the combined check runs
    private static final List<SelfSigned.Pem> CERTS = IntStream.range(0, COUNT)
            .mapToObj(i -> SelfSigned.create("EC", List.of("c" + i + ".test"), Duration.ofDays(1))).toList();

    private static List<ConfigError> prepare(List<String> keys) {
        Snapshot.Builder s = Snapshot.newBuilder().setVersion(1);
        for (int i = 0; i < COUNT; i++) {
            s.addCertificates(Certificate.newBuilder().setName("c" + i).setCertChainPem(CERTS.get(i).certChainPem())
                    .setPrivateKeyPem(keys.get(i)).addSnis("c" + i + ".test"));
        }
        List<ConfigError> errors = new ArrayList<>();
        TlsCertificates.prepare(s.build(), TlsCertificates.NONE, errors);
        return errors;
    }

    private static List<String> ownKeys() {
        return new ArrayList<>(CERTS.stream().map(SelfSigned.Pem::privateKeyPem).toList());
    }

    private static List<String> names(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::name).toList();
    }

    @Test
    void everyKeyOnItsOwnCertificatePasses() {
        assertThat(prepare(ownKeys())).isEmpty();
    }

    @Test
    void aSwappedKeyAmongManyIsNamed() {
        List<String> keys = ownKeys();
        keys.set(7, CERTS.get(8).privateKeyPem());

        List<ConfigError> errors = prepare(keys);

        assertThat(names(errors)).containsExactly("c7");
        assertThat(errors.get(0).message()).contains("does not match the certificate's public key");
    }

    /** d+1 on one certificate and d-1 on another: the plain sum of the scalars is unchanged. */
    @Test
    void wrongKeysWhoseErrorsCancelInAPlainSumAreBothNamed() throws Exception {
        List<String> keys = ownKeys();
        keys.set(3, shifted(CERTS.get(3), BigInteger.ONE));
        keys.set(11, shifted(CERTS.get(11), BigInteger.ONE.negate()));

        assertThat(names(prepare(keys))).containsExactlyInAnyOrder("c3", "c11");
    }

    /** The key of Q on a certificate whose public key is -Q (same x, the other y). */
    @Test
    void theNegatedKeyOfACertificateIsNamed() throws Exception {
        List<String> keys = ownKeys();
        ECPrivateKey own = (ECPrivateKey) key(CERTS.get(5).privateKeyPem());
        keys.set(5, pem(KeyFactory.getInstance("EC").generatePrivate(
                new ECPrivateKeySpec(own.getParams().getOrder().subtract(own.getS()), own.getParams()))));

        assertThat(names(prepare(keys))).containsExactly("c5");
    }

    /** The bucket sum equals the plain sum of multiples, whatever the scalars' bits (both 64-bit halves). */
    @Property(tries = 30)
    void pippengerSumIsTheSumOfEachMultiple(@ForAll @IntRange(min = 1, max = 40) int count, @ForAll long seed) throws Exception {
        ECPrivateKey anyKey = (ECPrivateKey) key(CERTS.get(0).privateKeyPem());
        ECPoint g = EC5Util.convertSpec(anyKey.getParams()).getG();
        java.util.Random r = new java.util.Random(seed);
        ECPoint[] points = new ECPoint[count];
        long[] hi = new long[count];
        long[] lo = new long[count];
        ECPoint expected = g.getCurve().getInfinity();
        for (int i = 0; i < count; i++) {
            points[i] = g.multiply(new BigInteger(64, r).add(BigInteger.ONE)).normalize();
            hi[i] = r.nextInt(4) == 0 ? 0 : r.nextLong();  // some scalars below 2^64
            lo[i] = r.nextInt(4) == 0 ? -1 : r.nextLong(); // some with every low bit set
            BigInteger k = new BigInteger(Long.toUnsignedString(hi[i])).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo[i])));
            expected = expected.add(points[i].multiply(k));
        }
        assertThat(EcKeyBatch.Pippenger.sum(g.getCurve(), points, hi, lo, 128).normalize()).isEqualTo(expected.normalize());
    }

    /**
     * P-256's in-place sum ({@link P256Pippenger}) equals BouncyCastle's point additions, also when points repeat
     * or cancel (a bucket then adds a point to itself, a doubling, or to its negation, the identity).
     */
    @Property(tries = 20)
    void p256SumEqualsTheGenericOneWithRepeatedAndOppositePoints(@ForAll @IntRange(min = 1, max = 600) int count,
                                                                @ForAll long seed) throws Exception {
        ECPrivateKey anyKey = (ECPrivateKey) key(CERTS.get(0).privateKeyPem());
        ECPoint g = EC5Util.convertSpec(anyKey.getParams()).getG();
        assertThat(P256Pippenger.handles(g.getCurve())).isTrue();
        java.util.Random r = new java.util.Random(seed);
        ECPoint[] points = new ECPoint[count];
        long[] hi = new long[count];
        long[] lo = new long[count];
        for (int i = 0; i < count; i++) {
            int kind = r.nextInt(4);
            points[i] = i > 0 && kind == 0 ? points[r.nextInt(i)]                       // a repeat
                    : i > 0 && kind == 1 ? points[r.nextInt(i)].negate().normalize()    // an opposite
                    : g.multiply(new BigInteger(64, r).add(BigInteger.ONE)).normalize();
            hi[i] = r.nextInt(3) == 0 ? hi[Math.max(0, i - 1)] : r.nextLong(); // equal digits: same buckets
            lo[i] = r.nextInt(3) == 0 ? lo[Math.max(0, i - 1)] : r.nextLong();
        }
        assertThat(EcKeyBatch.Pippenger.sum(g.getCurve(), points, hi, lo, 128).normalize())
                .isEqualTo(EcKeyBatch.Pippenger.generic(g.getCurve(), points, hi, lo, 128).normalize());
    }

    private static String shifted(SelfSigned.Pem cert, BigInteger by) throws Exception {
        ECPrivateKey own = (ECPrivateKey) key(cert.privateKeyPem());
        return pem(KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(own.getS().add(by), own.getParams())));
    }

    private static PrivateKey key(String pem) throws Exception {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(
                new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(b64)));
    }

    private static String pem(PrivateKey key) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return out.toString();
    }
}
