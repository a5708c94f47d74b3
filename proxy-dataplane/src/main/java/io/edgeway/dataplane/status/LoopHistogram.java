package io.edgeway.dataplane.status;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One labelled series of a {@link LoopHistogramFamily}: bucket counts and a sum of nanoseconds, kept in one row
 * per recording thread ({@link ThreadSlot}) and added up only when the page is scraped. An observation is a
 * bucket search and two plain increments of its own thread's row: no atomic update, no lambda, no allocation
 * (the Prometheus client's Histogram made a capturing lambda and several striped atomic updates per
 * observation, twice per request). Rows are written with opaque stores and read with opaque loads, so a
 * scrape on another thread sees whole values that only go up.
 */
final class LoopHistogram {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Upper bounds in nanoseconds, without +Inf; a row is one count per bound, one for +Inf, then the sum. */
    private final long[] boundsNanos;
    private final long createdMillis = System.currentTimeMillis();
    /** Indexed by thread slot; a row is made by the first observation of its thread. Copied on growth. */
    private volatile long[][] rows = new long[0][];
    /** For threads past {@link ThreadSlot#MAX}: updated and read under its own lock. */
    private final long[] shared;

    LoopHistogram(long[] boundsNanos) {
        this.boundsNanos = boundsNanos;
        this.shared = new long[boundsNanos.length + 2];
    }

    /** Counts one duration (negative ones as 0: a clock read that went backwards is not a bucket). */
    void observe(long nanos) {
        long n = Math.max(0, nanos);
        int slot = ThreadSlot.current();
        long[][] r = rows;
        long[] row;
        if (slot >= 0 && slot < r.length && (row = r[slot]) != null) {
            add(row, bucket(n), 1);
            add(row, row.length - 1, n);
        } else {
            observeSlow(slot, n);
        }
    }

    private static void add(long[] row, int i, long amount) {
        // this thread is the row's only writer: read, add, store, with no lock or compare-and-set
        LONGS.setOpaque(row, i, (long) LONGS.getOpaque(row, i) + amount);
    }

    private int bucket(long nanos) {
        long[] b = boundsNanos;
        for (int i = 0; i < b.length; i++) {
            if (nanos <= b[i]) { // "le", as Prometheus buckets are
                return i;
            }
        }
        return b.length;
    }

    private void observeSlow(int slot, long nanos) {
        if (slot == ThreadSlot.SHARED) {
            synchronized (shared) {
                shared[bucket(nanos)]++;
                shared[shared.length - 1] += nanos;
            }
            return;
        }
        long[] row;
        synchronized (this) { // once per thread and series: make its row and publish a new table
            long[][] r = rows;
            if (slot >= r.length) {
                long[][] grown = new long[Math.min(ThreadSlot.MAX, Math.max(slot + 1, r.length * 2))][];
                System.arraycopy(r, 0, grown, 0, r.length);
                r = grown;
            }
            if (r[slot] == null) {
                r[slot] = new long[boundsNanos.length + 2];
            }
            row = r[slot];
            rows = r;
        }
        add(row, bucket(nanos), 1);
        add(row, row.length - 1, nanos);
    }

    /** Counts per bucket (not cumulative; the last is +Inf) followed by the sum in nanoseconds, over all rows. */
    long[] totals() {
        long[] t = new long[boundsNanos.length + 2];
        for (long[] row : rows) {
            if (row != null) {
                for (int i = 0; i < t.length; i++) {
                    t[i] += (long) LONGS.getOpaque(row, i);
                }
            }
        }
        synchronized (shared) {
            for (int i = 0; i < t.length; i++) {
                t[i] += shared[i];
            }
        }
        return t;
    }

    long createdMillis() {
        return createdMillis;
    }
}
