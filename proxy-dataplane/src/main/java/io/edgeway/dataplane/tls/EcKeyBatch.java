package io.edgeway.dataplane.tls;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.raw.Nat256;

/**
 * The EC key-to-certificate checks of one snapshot, done together. One key at a time costs a scalar
 * multiplication d·G each (~60 µs for P-256, two thirds of applying a new certificate). Together: with a
 * fresh random 128-bit r_i per key, all keys match when Σ r_i·Q_i = (Σ r_i·d_i mod n)·G, and the left side
 * is one multi-scalar multiplication (Pippenger's buckets: ~15 point additions per key instead of ~85
 * point operations).
 *
 * <p>Why this proves as much as the one-by-one check: Q_i is checked to be on the curve, and P-256's group
 * has prime order n (cofactor 1), so each D_i = Q_i - d_i·G is either the identity (the key matches) or of
 * order n. If some D_j is not the identity, then for any values of the other r_i at most one r_j mod n
 * makes Σ r_i·D_i the identity; r_j is secret and uniform over 2^128 values, so a wrong key passes with
 * probability at most 2^-128. When the sum does not hold, every key of that curve is checked on its own,
 * so the Nack still names exactly the certificates whose key does not match.
 */
final class EcKeyBatch {
    /** Below this many keys on one curve, one multiplication each is as cheap. */
    private static final int MIN_BATCH = 8;
    private static final int SCALAR_BITS = 128;

    /** Only what the check needs (not the JDK key objects): 10,000 of these live until the snapshot is checked. */
    private record Pending(int id, BigInteger d, ECPoint q, int[] x, int[] y) {
        /** The public point: {@code q}, or made from P-256 field elements (only when checked one by one, rarely). */
        ECPoint point(ECPoint g) {
            return q != null ? q : g.getCurve().validatePoint(Nat256.toBigInteger(x), Nat256.toBigInteger(y));
        }
    }

    private final Map<ECPoint, List<Pending>> byGenerator = new IdentityHashMap<>(); // one generator object per curve
    private final SecureRandom random = new SecureRandom();

    /**
     * Takes {@code key} for checking against {@code pub} later, under the caller's {@code id}; false when it
     * cannot match at all (another curve, a scalar out of range, a public point not on the curve), which the
     * caller reports at once.
     */
    boolean add(int id, ECPrivateKey key, ECPublicKey pub) {
        ECPoint g = KeyMatch.sameCurveGenerator(key, pub);
        if (g == null) {
            return false;
        }
        ECPoint q;
        try {
            q = g.getCurve().validatePoint(pub.getW().getAffineX(), pub.getW().getAffineY());
        } catch (IllegalArgumentException e) {
            return false; // not on the curve: no private key makes it
        }
        return add(id, g, key.getS(), q);
    }

    /**
     * As above for a key already read as numbers ({@link NewCertificateCheck}): {@code g} the generator of the
     * curve (one object per curve), {@code d} in [1, n-1] and {@code q} an affine point on that curve.
     */
    boolean add(int id, ECPoint g, BigInteger d, ECPoint q) {
        byGenerator.computeIfAbsent(g, k -> new ArrayList<>()).add(new Pending(id, d, q, null, null));
        return true;
    }

    /** As above for a P-256 key whose public point is {@code xy} from {@link P256Pippenger#decode}. */
    boolean addP256(int id, ECPoint g, BigInteger d, int[][] xy) {
        byGenerator.computeIfAbsent(g, k -> new ArrayList<>()).add(new Pending(id, d, null, xy[0], xy[1]));
        return true;
    }

    /** The ids of the keys that do not match their certificate. */
    List<Integer> mismatched() {
        List<Integer> ids = new ArrayList<>();
        for (Map.Entry<ECPoint, List<Pending>> e : byGenerator.entrySet()) {
            ECPoint g = e.getKey();
            List<Pending> keys = e.getValue();
            // the argument above needs a prime-order group: the JDK's curves (P-256, P-384, P-521) all are
            boolean primeOrder = BigInteger.ONE.equals(g.getCurve().getCofactor());
            if (keys.size() >= MIN_BATCH && primeOrder && allMatch(g, keys)) {
                continue;
            }
            FixedPointCombMultiplier one = new FixedPointCombMultiplier();
            for (Pending p : keys) {
                if (!one.multiply(g, p.d()).equals(p.point(g))) {
                    ids.add(p.id());
                }
            }
        }
        return ids;
    }

    private boolean allMatch(ECPoint g, List<Pending> keys) {
        ECCurve curve = g.getCurve();
        BigInteger n = curve.getOrder();
        int count = keys.size();
        boolean p256 = P256Pippenger.handles(curve);
        ECPoint[] qs = p256 ? null : new ECPoint[count];
        int[][] xs = p256 ? new int[count][] : null;
        int[][] ys = p256 ? new int[count][] : null;
        long[] lo = new long[count];
        long[] hi = new long[count];
        BigInteger s = BigInteger.ZERO;
        for (int i = 0; i < count; i++) {
            Pending p = keys.get(i);
            if (p256) {
                xs[i] = p.x() != null ? p.x() : P256Pippenger.x(p.q());
                ys[i] = p.y() != null ? p.y() : P256Pippenger.y(p.q());
            } else {
                qs[i] = p.q();
            }
            lo[i] = random.nextLong();
            hi[i] = random.nextLong();
            s = s.add(unsigned128(hi[i], lo[i]).multiply(keys.get(i).d()));
        }
        s = s.mod(n);
        ECPoint left = (p256 ? P256Pippenger.sum(curve, xs, ys, hi, lo, SCALAR_BITS) : Pippenger.sum(curve, qs, hi, lo, SCALAR_BITS)).normalize();
        ECPoint right = s.signum() == 0 ? curve.getInfinity() : new FixedPointCombMultiplier().multiply(g, s).normalize();
        return left.equals(right);
    }

    private static BigInteger unsigned128(long hi, long lo) {
        byte[] b = new byte[17]; // a leading zero byte: never negative
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (hi >>> (56 - 8 * i));
            b[9 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return new BigInteger(b);
    }

    /** Σ k_i·P_i for 128-bit k_i (hi:lo) by buckets per c-bit digit (Pippenger); P_i affine, so bucket adds are mixed. */
    static final class Pippenger {
        private Pippenger() {}

        static ECPoint sum(ECCurve curve, ECPoint[] points, long[] hi, long[] lo, int bits) {
            if (P256Pippenger.handles(curve)) {
                return P256Pippenger.sum(curve, points, hi, lo, bits);
            }
            return generic(curve, points, hi, lo, bits);
        }

        /** As {@link #sum}, with BouncyCastle's point additions (any curve; the reference for P-256's). */
        static ECPoint generic(ECCurve curve, ECPoint[] points, long[] hi, long[] lo, int bits) {
            int c = window(points.length, bits);
            int windows = (bits + c - 1) / c;
            ECPoint acc = curve.getInfinity();
            ECPoint[] buckets = new ECPoint[1 << c];
            for (int w = windows - 1; w >= 0; w--) {
                acc = acc.timesPow2(c);
                java.util.Arrays.fill(buckets, null); // null: the identity, without an add for it
                for (int i = 0; i < points.length; i++) {
                    int d = digit(hi[i], lo[i], w * c, c);
                    if (d != 0) {
                        buckets[d] = buckets[d] == null ? points[i] : buckets[d].add(points[i]);
                    }
                }
                ECPoint running = null;
                ECPoint total = null;
                for (int d = buckets.length - 1; d >= 1; d--) { // Σ d·bucket[d] as a sum of running sums
                    if (buckets[d] != null) {
                        running = running == null ? buckets[d] : running.add(buckets[d]);
                    }
                    if (running != null) {
                        total = total == null ? running : total.add(running);
                    }
                }
                if (total != null) {
                    acc = acc.add(total);
                }
            }
            return acc;
        }

        /** The digit width with the fewest additions: (bits / c) windows of (count + 2·2^c) each. */
        static int window(int count, int bits) {
            int best = 1;
            long bestCost = Long.MAX_VALUE;
            for (int c = 1; c <= 16; c++) {
                long cost = (long) ((bits + c - 1) / c) * (count + 2L * (1 << c));
                if (cost < bestCost) {
                    bestCost = cost;
                    best = c;
                }
            }
            return best;
        }

        static int digit(long hi, long lo, int shift, int c) {
            long v;
            if (shift >= 64) {
                v = hi >>> (shift - 64);
            } else if (shift + c <= 64) {
                v = lo >>> shift;
            } else {
                v = (lo >>> shift) | (hi << (64 - shift));
            }
            return (int) (v & ((1L << c) - 1));
        }
    }
}
