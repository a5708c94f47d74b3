package io.edgeway.dataplane.accesslog;

/**
 * The wall-clock time of a {@link System#nanoTime} reading, worked out on the writer thread, so that an event loop
 * ending a request reads one clock (the nanoTime its duration needs anyway) instead of two. The writer reads both
 * clocks once (an anchor) and places each record by its nanoTime's distance from it; it anchors again when a record
 * is a second past the anchor, or after the queue ran empty, so the two clocks' drift (NTP slews the wall clock,
 * not nanoTime) never builds up past what a second of slewing gives (well under a millisecond).
 */
final class WallClock {
    private static final long REANCHOR_NANOS = 1_000_000_000L;

    private boolean anchored;
    private long anchorMillis;
    private long anchorNanos;

    /** Milliseconds since the epoch when {@code System.nanoTime()} read {@code nanos}. */
    long millis(long nanos) {
        if (!anchored || nanos - anchorNanos > REANCHOR_NANOS) {
            anchor(System.currentTimeMillis(), System.nanoTime());
        }
        return millisAt(nanos);
    }

    /** The next record anchors afresh (the writer had nothing to do: it may sleep long). */
    void forget() {
        anchored = false;
    }

    void anchor(long nowMillis, long nowNanos) {
        anchorMillis = nowMillis;
        anchorNanos = nowNanos;
        anchored = true;
    }

    /** By the current anchor; nanoTime values may be negative and wrap, so only their difference counts. */
    long millisAt(long nanos) {
        return anchorMillis + Math.floorDiv(nanos - anchorNanos, 1_000_000L);
    }
}
