package io.edgeway.dataplane.status;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small number for each thread that records into a {@link LoopHistogram}, given once and never reused, so a
 * histogram can keep one row of plain counters per thread: a row has a single writer and needs no atomic
 * update. The event loops are the writers that matter and get the first numbers; past {@link #MAX} threads
 * (thread pools that come and go), a thread gets {@link #SHARED} and its observations take a lock instead.
 */
final class ThreadSlot {
    /** Slots handed out at most: bounds each histogram's row table (event loops are 2 x cores by default). */
    static final int MAX = 256;
    /** A thread beyond {@link #MAX}: it records into the histogram's shared, locked row. */
    static final int SHARED = -1;

    private static final AtomicInteger NEXT = new AtomicInteger();
    // FastThreadLocal: on Netty's own threads (the event loops) a read is an array index, no hash lookup.
    private static final FastThreadLocal<Integer> SLOT = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            int s = NEXT.getAndIncrement();
            return s < MAX ? s : SHARED;
        }
    };

    private ThreadSlot() {}

    /** The calling thread's slot, the same on every call from it. */
    static int current() {
        return SLOT.get(); // Integer's cache covers 0..127; 128..255 are boxed once, when the slot is made
    }
}
