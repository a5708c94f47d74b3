package io.edgeway.controlplane.discovery;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the snapshot bytes handed to gRPC but not yet written to a socket, across all streams. gRPC copies
 * each message into the stream's own Netty buffers, so without a bound a 1 MB snapshot pushed to 5,000
 * proxies at once would ask for 5 GB of direct memory. Streams over the budget queue up (FIFO) and are
 * resumed as earlier sends reach the wire; no lock is held while a stream is resumed.
 */
final class SendBudget {
    /** Enough to keep loopback and a datacenter link busy; small next to a control plane's heap. */
    static final long DEFAULT_BYTES = 128L << 20;

    /** A stream waiting for budget; answers false when it is still blocked (and has queued itself again). */
    interface Waiter {
        boolean resume();
    }

    private final long limit;
    private final Executor executor;
    private final Queue<Waiter> waiting = new ArrayDeque<>(); // guarded by this
    private long used; // guarded by this
    private final AtomicBoolean pumping = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    SendBudget(long limit) {
        this(limit, ForkJoinPool.commonPool());
    }

    SendBudget(long limit, Executor executor) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
        this.limit = limit;
        this.executor = executor;
    }

    /** Takes {@code bytes}, or queues {@code waiter} and answers false. One snapshot larger than the whole budget still goes, alone. */
    synchronized boolean acquire(long bytes, Waiter waiter) {
        if (used == 0 || used + bytes <= limit) {
            used += bytes;
            return true;
        }
        waiting.add(waiter);
        return false;
    }

    void release(long bytes) {
        synchronized (this) {
            used -= bytes;
        }
        released.set(true);
        schedule();
    }

    synchronized long used() {
        return used;
    }

    private void schedule() {
        boolean any;
        synchronized (this) {
            any = !waiting.isEmpty();
        }
        if (any && pumping.compareAndSet(false, true)) {
            executor.execute(this::pump);
        }
    }

    /** Resumes waiters in order until one is still blocked; runs again only after another release. */
    private void pump() {
        try {
            while (released.getAndSet(false)) {
                Waiter w;
                while ((w = poll()) != null && w.resume()) {
                    // resumed and sent (or no longer needs to): try the next one
                }
            }
        } finally {
            pumping.set(false);
        }
        if (released.get()) {
            schedule(); // a release raced the end of the loop
        }
    }

    private synchronized Waiter poll() {
        return waiting.poll();
    }
}
