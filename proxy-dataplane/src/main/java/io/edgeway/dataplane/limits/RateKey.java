package io.edgeway.dataplane.limits;

import java.util.concurrent.ThreadLocalRandom;

/**
 * 64-bit hashes of rate limit keys, seeded once per process: a client cannot compute which keys land in
 * the same slots of {@link RateBuckets} and so cannot aim at a victim's bucket. Buckets store the hash, not
 * the key: two keys share a bucket only if their 64-bit hashes collide (about 3e-8 for a million keys).
 * Hashing walks the characters in place: no allocation per request.
 */
final class RateKey {
    private static final long SEED = ThreadLocalRandom.current().nextLong() | 1;

    private RateKey() {}

    /** A route limit's identity: mixed into every key of that limit so routes never share buckets. */
    static long identity(String text) {
        return of(0x9E3779B97F4A7C15L, text);
    }

    /** The bucket key of {@code value} (may be {@code null}: the key of "no value") under a limit's identity. */
    static long of(long identity, CharSequence value) {
        long h = SEED ^ identity;
        if (value != null) {
            for (int i = 0, n = value.length(); i < n; i++) {
                h = (h ^ value.charAt(i)) * 0x100000001B3L; // FNV-1a step, then a full mix at the end
            }
            h ^= value.length();
        } else {
            h ^= 0x5bd1e995L;
        }
        return mix(h);
    }

    /** MurmurHash3's fmix64: every input bit affects every output bit. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
