package io.edgeway.dataplane.tls;

import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat256;

/**
 * {@link EcKeyBatch.Pippenger#sum} for P-256 (nearly every certificate's curve) on BouncyCastle's raw field
 * arithmetic, with the buckets' Jacobian coordinates updated in place. BouncyCastle's point additions each
 * allocate ten or so arrays and objects; over the ~18 additions per key of a 10,000-key batch that was a third
 * of what applying a snapshot of new certificates allocated (and so of its collections). The sum is checked
 * against an independent right-hand side (BouncyCastle's own multiplication of G), so an error here could
 * only make a good batch fail and fall back to one multiplication per key, never let a wrong key through.
 *
 * <p>Formulas: Jacobian coordinates, a = -3 ("add-2007-bl", "madd-2007-bl", "dbl-2001-b" of the Explicit-Formulas
 * Database, in their plain forms); a sum of equal points is a doubling, of opposite points the identity.
 */
final class P256Pippenger {
    private P256Pippenger() {}

    static boolean handles(ECCurve curve) {
        return curve instanceof SecP256R1Curve;
    }

    /** A point in Jacobian coordinates (x/z², y/z³), or the identity. */
    private static final class Jacobian {
        final int[] x = Nat256.create();
        final int[] y = Nat256.create();
        final int[] z = Nat256.create();
        boolean identity = true;

        void set(Jacobian p) {
            identity = p.identity;
            Nat256.copy(p.x, x);
            Nat256.copy(p.y, y);
            Nat256.copy(p.z, z);
        }

        void setAffine(int[] ax, int[] ay) {
            identity = false;
            Nat256.copy(ax, x);
            Nat256.copy(ay, y);
            java.util.Arrays.fill(z, 0);
            z[0] = 1;
        }

        void clear() {
            identity = true;
            java.util.Arrays.fill(z, 0);
        }
    }

    /** Scratch field elements for one sum: no allocation per operation. */
    private static final class Scratch {
        final int[] tt = Nat256.createExt();
        final int[] a = Nat256.create(), b = Nat256.create(), c = Nat256.create(), d = Nat256.create();
        final int[] e = Nat256.create(), f = Nat256.create(), g = Nat256.create(), h = Nat256.create();
    }

    static ECPoint sum(ECCurve curve, ECPoint[] points, long[] hi, long[] lo, int bits) {
        int n = points.length;
        int[][] px = new int[n][];
        int[][] py = new int[n][];
        for (int i = 0; i < n; i++) {
            px[i] = x(points[i]);
            py[i] = y(points[i]);
        }
        return sum(curve, px, py, hi, lo, bits);
    }

    static int[] x(ECPoint p) {
        return SecP256R1Field.fromBigInteger(p.normalize().getAffineXCoord().toBigInteger());
    }

    static int[] y(ECPoint p) {
        return SecP256R1Field.fromBigInteger(p.normalize().getAffineYCoord().toBigInteger());
    }

    /**
     * The affine (x, y) of an uncompressed P-256 point encoding (04, X, Y) in {@code bytes[from, to)}, checked to be on
     * the curve, as field elements; null when it is not one. What {@code decodePoint} checks, without its dozen
     * objects per point (a fifth of what applying 10,000 new certificates allocated).
     */
    static int[][] decode(byte[] bytes, int from, int to) {
        if (to - from != 65 || bytes[from] != 0x04) {
            return null;
        }
        int[] x = words(bytes, from + 1);
        int[] y = words(bytes, from + 33);
        if (Nat256.gte(x, P) || Nat256.gte(y, P)) {
            return null;
        }
        int[] right = Nat256.create();
        int[] t = Nat256.create();
        SecP256R1Field.square(x, right);
        SecP256R1Field.multiply(right, x, right);   // x³
        SecP256R1Field.twice(x, t);
        SecP256R1Field.add(t, x, t);                // 3x
        SecP256R1Field.subtract(right, t, right);
        SecP256R1Field.add(right, B, right);        // x³ - 3x + b
        SecP256R1Field.square(y, t);                // y²
        return Nat256.eq(right, t) ? new int[][] {x, y} : null;
    }

    private static final int[] P = Nat256.fromBigInteger(SecP256R1Curve.q);
    private static final int[] B = Nat256.fromBigInteger(new SecP256R1Curve().getB().toBigInteger());

    /** 32 big-endian bytes as Nat256's eight little-endian words. */
    private static int[] words(byte[] bytes, int from) {
        int[] w = Nat256.create();
        for (int i = 0; i < 8; i++) {
            int at = from + 28 - 4 * i;
            w[i] = (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
        }
        return w;
    }

    /** As {@link #sum(ECCurve, ECPoint[], long[], long[], int)} for points given as affine field elements. */
    static ECPoint sum(ECCurve curve, int[][] px, int[][] py, long[] hi, long[] lo, int bits) {
        int n = px.length;
        int c = EcKeyBatch.Pippenger.window(n, bits);
        int windows = (bits + c - 1) / c;
        Jacobian[] buckets = new Jacobian[1 << c];
        for (int k = 0; k < buckets.length; k++) {
            buckets[k] = new Jacobian();
        }
        Jacobian acc = new Jacobian();
        Jacobian running = new Jacobian();
        Jacobian total = new Jacobian();
        Scratch s = new Scratch();
        for (int w = windows - 1; w >= 0; w--) {
            for (int k = 0; k < c; k++) {
                dbl(acc, s);
            }
            for (Jacobian bucket : buckets) {
                bucket.clear();
            }
            for (int i = 0; i < n; i++) {
                int digit = EcKeyBatch.Pippenger.digit(hi[i], lo[i], w * c, c);
                if (digit != 0) {
                    Jacobian bucket = buckets[digit];
                    if (bucket.identity) {
                        bucket.setAffine(px[i], py[i]);
                    } else {
                        addAffine(bucket, px[i], py[i], s);
                    }
                }
            }
            running.clear();
            total.clear();
            for (int k = buckets.length - 1; k >= 1; k--) { // Σ k·bucket[k] as a sum of running sums
                add(running, buckets[k], s);
                add(total, running, s);
            }
            add(acc, total, s);
        }
        if (acc.identity) {
            return curve.getInfinity();
        }
        int[] zInv = Nat256.create();
        SecP256R1Field.inv(acc.z, zInv);
        SecP256R1Field.square(zInv, s.a, s.tt);            // 1/z²
        SecP256R1Field.multiply(acc.x, s.a, s.b, s.tt);    // x
        SecP256R1Field.multiply(s.a, zInv, s.a, s.tt);     // 1/z³
        SecP256R1Field.multiply(acc.y, s.a, s.c, s.tt);    // y
        return curve.createPoint(Nat256.toBigInteger(s.b), Nat256.toBigInteger(s.c));
    }

    /** p += (ax, ay), an affine point; p is not the identity. */
    private static void addAffine(Jacobian p, int[] ax, int[] ay, Scratch s) {
        SecP256R1Field.square(p.z, s.a, s.tt);             // z1²
        SecP256R1Field.multiply(ax, s.a, s.b, s.tt);       // u2 = ax·z1²
        SecP256R1Field.multiply(p.z, s.a, s.c, s.tt);      // z1³
        SecP256R1Field.multiply(ay, s.c, s.c, s.tt);       // s2 = ay·z1³
        finishAdd(p, p.x, p.y, s.b, s.c, null, s);
    }

    /** p += q (Jacobian); either may be the identity. */
    private static void add(Jacobian p, Jacobian q, Scratch s) {
        if (q.identity) {
            return;
        }
        if (p.identity) {
            p.set(q);
            return;
        }
        SecP256R1Field.square(q.z, s.a, s.tt);             // z2²
        SecP256R1Field.multiply(p.x, s.a, s.e, s.tt);      // u1 = x1·z2²
        SecP256R1Field.multiply(q.z, s.a, s.a, s.tt);      // z2³
        SecP256R1Field.multiply(p.y, s.a, s.f, s.tt);      // s1 = y1·z2³
        SecP256R1Field.square(p.z, s.a, s.tt);             // z1²
        SecP256R1Field.multiply(q.x, s.a, s.b, s.tt);      // u2 = x2·z1²
        SecP256R1Field.multiply(p.z, s.a, s.c, s.tt);      // z1³
        SecP256R1Field.multiply(q.y, s.c, s.c, s.tt);      // s2 = y2·z1³
        finishAdd(p, s.e, s.f, s.b, s.c, q.z, s);
    }

    /**
     * p = (u1, s1) + (u2, s2), both scaled to p's z (and q's z2 when not affine): h = u2 - u1, r = s2 - s1;
     * x3 = r² - h³ - 2·u1·h², y3 = r·(u1·h² - x3) - s1·h³, z3 = z1·z2·h. Reads u1, s1 before writing p.
     */
    private static void finishAdd(Jacobian p, int[] u1, int[] s1, int[] u2, int[] s2, int[] z2, Scratch s) {
        SecP256R1Field.subtract(u2, u1, s.d);              // h
        SecP256R1Field.subtract(s2, s1, s.g);              // r
        if (Nat256.isZero(s.d)) {
            if (Nat256.isZero(s.g)) {
                dbl(p, s);                                 // the same point: u1, s1 are p's own when it matters
            } else {
                p.clear();                                 // opposite points
            }
            return;
        }
        SecP256R1Field.square(s.d, s.a, s.tt);             // h²
        SecP256R1Field.multiply(s.a, s.d, s.h, s.tt);      // h³
        SecP256R1Field.multiply(u1, s.a, s.a, s.tt);       // v = u1·h²
        SecP256R1Field.multiply(s1, s.h, s.b, s.tt);       // s1·h³ (before p.y is written: s1 may be p.y)
        SecP256R1Field.square(s.g, s.c, s.tt);             // r²
        SecP256R1Field.subtract(s.c, s.h, s.c);
        SecP256R1Field.subtract(s.c, s.a, s.c);
        SecP256R1Field.subtract(s.c, s.a, p.x);            // x3 = r² - h³ - 2v
        SecP256R1Field.subtract(s.a, p.x, s.a);
        SecP256R1Field.multiply(s.g, s.a, s.a, s.tt);
        SecP256R1Field.subtract(s.a, s.b, p.y);            // y3 = r·(v - x3) - s1·h³
        SecP256R1Field.multiply(p.z, s.d, p.z, s.tt);
        if (z2 != null) {
            SecP256R1Field.multiply(p.z, z2, p.z, s.tt);   // z3 = z1·z2·h
        }
    }

    /** p = 2p (a = -3): m = 3(x - z²)(x + z²), x3 = m² - 8xy², y3 = m(4xy² - x3) - 8y⁴, z3 = 2yz. */
    private static void dbl(Jacobian p, Scratch s) {
        if (p.identity) {
            return;
        }
        if (Nat256.isZero(p.y)) {
            p.clear(); // a point of order 2 (none on P-256, whose order is prime; kept for the formula's sake)
            return;
        }
        SecP256R1Field.square(p.z, s.a, s.tt);             // z²
        SecP256R1Field.subtract(p.x, s.a, s.b);
        SecP256R1Field.add(p.x, s.a, s.c);
        SecP256R1Field.multiply(s.b, s.c, s.b, s.tt);
        SecP256R1Field.twice(s.b, s.c);
        SecP256R1Field.add(s.b, s.c, s.b);                 // m
        SecP256R1Field.multiply(p.y, p.z, p.z, s.tt);
        SecP256R1Field.twice(p.z, p.z);                    // z3 = 2yz (y still the old one)
        SecP256R1Field.square(p.y, s.c, s.tt);             // y²
        SecP256R1Field.multiply(p.x, s.c, s.d, s.tt);
        SecP256R1Field.twice(s.d, s.d);
        SecP256R1Field.twice(s.d, s.d);                    // 4xy²
        SecP256R1Field.square(s.c, s.c, s.tt);             // y⁴
        SecP256R1Field.twice(s.c, s.c);
        SecP256R1Field.twice(s.c, s.c);
        SecP256R1Field.twice(s.c, s.c);                    // 8y⁴
        SecP256R1Field.square(s.b, s.a, s.tt);
        SecP256R1Field.subtract(s.a, s.d, s.a);
        SecP256R1Field.subtract(s.a, s.d, p.x);            // x3 = m² - 2·4xy²
        SecP256R1Field.subtract(s.d, p.x, s.d);
        SecP256R1Field.multiply(s.b, s.d, s.d, s.tt);
        SecP256R1Field.subtract(s.d, s.c, p.y);            // y3 = m(4xy² - x3) - 8y⁴
    }
}
