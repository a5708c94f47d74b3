package io.edgeway.dataplane.compress;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.zip.Deflater;

/**
 * Raw-deflate {@link Deflater}s kept per thread (an event loop) and reused, reset, from one response to the next.
 * A new Deflater per response costs zlib's deflateInit: four 64 KiB allocations that malloc may have to fault in
 * again each time, plus a Cleaner registration and its deflateEnd; a reset only clears the hash table. A thread
 * keeps at most {@link #KEPT_PER_LEVEL} idle ones per level: as many as it compresses at once, usually.
 *
 * <p>Single-threaded by construction: a thread's deque is only touched by that thread, and a Deflater is in
 * exactly one place at a time (its encoder, or a deque).
 */
final class Deflaters {
    static final int KEPT_PER_LEVEL = 8;

    private static final FastThreadLocal<ArrayDeque<Deflater>[]> IDLE = new FastThreadLocal<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected ArrayDeque<Deflater>[] initialValue() {
            return new ArrayDeque[Deflater.BEST_COMPRESSION + 1];
        }
    };

    private Deflaters() {}

    /** A deflater at {@code level} (0-9) writing raw deflate (no zlib header: gzip frames it), fresh or reset. */
    static Deflater take(int level) {
        ArrayDeque<Deflater> idle = IDLE.get()[level];
        Deflater d = idle == null ? null : idle.poll();
        return d != null ? d : new Deflater(level, true);
    }

    /** Gives {@code d}, created by {@link #take} at {@code level}, back: reset for the next response, or ended. */
    static void give(Deflater d, int level) {
        ArrayDeque<Deflater>[] byLevel = IDLE.get();
        ArrayDeque<Deflater> idle = byLevel[level];
        if (idle == null) {
            idle = byLevel[level] = new ArrayDeque<>(KEPT_PER_LEVEL);
        }
        if (idle.size() >= KEPT_PER_LEVEL) {
            d.end();
            return;
        }
        d.reset();
        idle.push(d); // most recently used first: its memory is the warmest
    }

    /** Idle deflaters this thread keeps at {@code level} (tests). */
    static int idle(int level) {
        ArrayDeque<Deflater> idle = IDLE.get()[level];
        return idle == null ? 0 : idle.size();
    }
}
