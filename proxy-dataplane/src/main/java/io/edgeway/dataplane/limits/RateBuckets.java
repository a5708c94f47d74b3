package io.edgeway.dataplane.limits;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's token buckets, all routes together, in a fixed-size open-addressed table: memory is bounded
 * by the capacity (a slot reference plus a 32-byte bucket each), whatever number of distinct keys arrives.
 * Every event loop uses the same table: lookups are plain volatile reads and a bucket changes by CAS, so
 * there is no lock, and the only allocation is a key's first bucket.
 *
 * <p>Each bucket is GCRA (the generic cell rate algorithm, a token bucket kept as one number: the
 * theoretical arrival time {@code tat}). A key probes {@link #PROBES} neighbouring slots. A new key takes
 * an empty slot or one whose bucket is full again ({@code tat <= now}: forgetting it loses nothing). When
 * all of them hold busy buckets the table is at its bound: the key evicts the bucket closest to full. That
 * fails open, on purpose: the evicted key, if it comes back, starts with a full bucket (at most one burst
 * more than its limit), whereas failing closed would let anyone who can mint keys (a header value costs
 * nothing) refuse service to every new client. Eviction only happens with more than about {@code capacity}
 * keys active within one refill period; {@code edgeway_rate_limit_evictions_total} counts it, and
 * {@code edgeway_rate_limit_keys} the slots that hold a bucket (up to the capacity: a slot, once used, is
 * reused, never emptied).
 */
public final class RateBuckets {
    static final int PROBES = 8;

    static final class Bucket {
        private static final VarHandle TAT;

        static {
            try {
                TAT = MethodHandles.lookup().findVarHandle(Bucket.class, "tat", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long key;
        volatile long tat;

        Bucket(long key, long tat) {
            this.key = key;
            this.tat = tat;
        }

        boolean compareAndSet(long expected, long value) {
            return TAT.compareAndSet(this, expected, value);
        }
    }

    private final AtomicReferenceArray<Bucket> slots;
    private final int mask;
    private final LongAdder occupied = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** @param capacity rounded up to a power of two, at least {@link #PROBES} */
    public RateBuckets(int capacity) {
        int size = Integer.highestOneBit(Math.max(PROBES, capacity - 1) << 1);
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Slots holding a bucket (live or full again): at most {@link #capacity()}. */
    public long keys() {
        return occupied.sum();
    }

    /** Busy buckets dropped for a new key because all its slots were taken (the table at its bound). */
    public long evictions() {
        return evictions.sum();
    }

    /**
     * Takes one token of {@code key}'s bucket if it has one. {@code emission}: nanoseconds per token;
     * {@code burst}: the bucket's size; {@code now}: {@link System#nanoTime()}.
     */
    void take(long key, long emission, int burst, long now, RateVerdict out) {
        Bucket b = find(key, now);
        long tolerance = saturatedMultiply(burst - 1L, emission);
        while (true) {
            long tat = b.tat;
            long base = Math.max(tat, now);
            if (base - now > tolerance) { // the bucket is empty
                out.allowed = false;
                out.remaining = 0;
                out.resetSeconds = ceilSeconds(base - now - tolerance);
                return;
            }
            long next = base + emission;
            if (b.compareAndSet(tat, next)) {
                out.allowed = true;
                long debt = next - now; // nanoseconds of tokens in use
                out.remaining = Math.max(0, (saturatedMultiply(burst, emission) - debt) / emission);
                out.resetSeconds = ceilSeconds(debt);
                return;
            }
        }
    }

    private Bucket find(long key, long now) {
        int start = (int) (key ^ (key >>> 32)) & mask;
        for (int i = 0; i < PROBES; i++) {
            Bucket b = slots.get((start + i) & mask);
            if (b != null && b.key == key) {
                return b;
            }
        }
        Bucket fresh = new Bucket(key, now);
        while (true) {
            int victim = -1;
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < PROBES; i++) {
                int slot = (start + i) & mask;
                Bucket b = slots.get(slot);
                if (b == null || b.tat - now <= 0) { // empty, or full again: nothing is lost by reusing it
                    if (slots.compareAndSet(slot, b, fresh)) {
                        if (b == null) {
                            occupied.increment();
                        }
                        return fresh;
                    }
                    b = slots.get(slot);
                    if (b != null && b.key == key) {
                        return b; // another loop created it meanwhile
                    }
                    continue;
                }
                if (b.tat < oldest) {
                    oldest = b.tat;
                    victim = slot;
                }
            }
            if (victim >= 0) { // at the bound: evict the bucket closest to full (fails open, see above)
                Bucket b = slots.get(victim);
                if (b != null && b.tat == oldest && slots.compareAndSet(victim, b, fresh)) {
                    evictions.increment();
                    return fresh;
                }
            }
        }
    }

    private static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE / 4;
    }
}
