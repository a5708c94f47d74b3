package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.raw.Nat256;

/**
 * {@link P256Pippenger#decode} accepts exactly the uncompressed P-256 encodings BouncyCastle's {@code decodePoint}
 * accepts, and reads the same point: for real points, the same bytes with one byte changed, a coordinate pushed
 * past the field's prime (the same number mod p, which decodePoint refuses), and wrong lengths.
 */
class P256DecodeTest {
    private static final ECPoint G = CustomNamedCurves.getByName("secp256r1").getG();
    private static final BigInteger P = G.getCurve().getField().getCharacteristic();

    @Property(tries = 300)
    void readsWhatDecodePointReads(@ForAll @IntRange(min = 1) int scalar, @ForAll @IntRange(min = 0, max = 70) int at,
                                   @ForAll byte value, @ForAll boolean edit) {
        byte[] encoded = G.multiply(BigInteger.valueOf(scalar).pow(5)).normalize().getEncoded(false);
        if (edit) {
            if (at < encoded.length) {
                encoded[at] = value;
            } else {
                encoded = Arrays.copyOf(encoded, at);
            }
        }
        assertThat(ours(encoded)).isEqualTo(reference(encoded));
    }

    @Example
    void refusesACoordinateNotBelowThePrime() {
        // a point with a tiny x (from its compressed form), so that x + p still fits 32 bytes
        ECPoint q = null;
        for (int x = 0; q == null; x++) {
            byte[] compressed = new byte[33];
            compressed[0] = 0x02;
            compressed[32] = (byte) x;
            try {
                q = G.getCurve().decodePoint(compressed).normalize();
            } catch (IllegalArgumentException notOnCurve) {
                q = null;
            }
        }
        BigInteger x = q.getAffineXCoord().toBigInteger();
        byte[] encoded = q.getEncoded(false);
        byte[] pushed = encoded.clone();
        System.arraycopy(fixed(x.add(P)), 0, pushed, 1, 32);
        assertThat(ours(encoded)).isNotEqualTo("refused");
        assertThat(ours(pushed)).isEqualTo("refused").isEqualTo(reference(pushed));
    }

    private static String ours(byte[] encoded) {
        int[][] xy = P256Pippenger.decode(encoded, 0, encoded.length);
        return xy == null ? "refused" : Nat256.toBigInteger(xy[0]) + "," + Nat256.toBigInteger(xy[1]);
    }

    private static String reference(byte[] encoded) {
        try {
            if (encoded.length == 0 || encoded[0] != 0x04) {
                return "refused"; // NewCertificateCheck reads the uncompressed form only
            }
            ECPoint q = G.getCurve().decodePoint(encoded).normalize();
            return q.getAffineXCoord().toBigInteger() + "," + q.getAffineYCoord().toBigInteger();
        } catch (RuntimeException e) {
            return "refused";
        }
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
