package io.edgeway.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to upstream targets for one event loop. Only that loop touches it, so it
 * needs no locks; a connection is handed out most-recently-used first and closed after sitting idle
 * longer than the idle timeout. A pooled connection keeps a read armed, so the target's FIN (or RST) closes
 * it and {@link #remove} drops it the moment it is read, not at the next sweep.
 */
public final class UpstreamPool {
    private final EventLoop loop;
    private final long idleTimeoutNanos;
    /** Keyed by {@code Target.poolKey()}: the address, plus the TLS identity for a TLS upstream. */
    private final Map<Object, ArrayDeque<Idle>> idle = new HashMap<>();
    private final Listener listener;
    private final ScheduledFuture<?> sweeper;
    private int size;

    /** Told when a connection enters or leaves the pool, for metrics. */
    public interface Listener {
        void idleChanged(int delta);
    }

    /**
     * A parked connection and since when. Mutable and recycled through {@link #spare}: a keep-alive connection
     * is parked once per request, and a new entry each time was a twentieth of what a proxied request
     * allocated (JFR allocation samples, issue 21), so more young GCs.
     */
    private static final class Idle {
        Channel channel;
        long since;
    }

    /** Entries not in use, kept up to {@link #SPARE_MAX} (after a burst of parked connections, the rest go). */
    private final ArrayDeque<Idle> spare = new ArrayDeque<>();
    private static final int SPARE_MAX = 1024;

    public UpstreamPool(EventLoop loop, long idleTimeoutMillis, Listener listener) {
        this.loop = loop;
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        this.listener = listener;
        long period = Math.max(100, Math.min(1_000, idleTimeoutMillis / 2));
        this.sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    public EventLoop loop() {
        return loop;
    }

    /** An open idle connection pooled under {@code target} (a {@code Target.poolKey()}), or {@code null}. */
    public Channel poll(Object target) {
        assert loop.inEventLoop();
        ArrayDeque<Idle> q = idle.get(target);
        if (q == null) {
            return null;
        }
        Idle e;
        long now = System.nanoTime();
        while ((e = q.pollLast()) != null) {
            removed();
            long since = e.since;
            Channel ch = recycle(e);
            // Checked here too, not only by the sweeper: a connection idle past the timeout is never handed
            // out, however late the sweep runs, so the target's own keep-alive timeout is never reached.
            if (ch.isActive() && now - since < idleTimeoutNanos) {
                return ch;
            }
            ch.close();
        }
        return null;
    }

    /** Parks a connection whose last exchange completed cleanly and that both sides keep alive. */
    public void release(Object target, Channel channel) {
        assert loop.inEventLoop();
        if (!channel.isActive()) {
            return;
        }
        Idle e = spare.pollLast();
        if (e == null) {
            e = new Idle();
        }
        e.channel = channel;
        e.since = System.nanoTime();
        idle.computeIfAbsent(target, k -> new ArrayDeque<>()).addLast(e);
        size++;
        listener.idleChanged(1);
        // Keep a read pending so that a close by the target, or stray bytes, are seen while idle.
        channel.read();
    }

    /** Drops a closed or misbehaving connection that may still be parked. */
    public void remove(Object target, Channel channel) {
        ArrayDeque<Idle> q = idle.get(target);
        if (q == null) {
            return;
        }
        for (Iterator<Idle> it = q.iterator(); it.hasNext(); ) {
            Idle e = it.next();
            if (e.channel == channel) {
                it.remove();
                removed();
                recycle(e);
            }
        }
    }

    /** Returns an entry no longer in any queue to {@link #spare}; its channel, for the caller. */
    private Channel recycle(Idle e) {
        Channel ch = e.channel;
        e.channel = null; // the spare list must not keep a closed connection reachable
        if (spare.size() < SPARE_MAX) {
            spare.addLast(e);
        }
        return ch;
    }

    public int size() {
        return size;
    }

    private void removed() {
        size--;
        listener.idleChanged(-1);
    }

    private void sweep() {
        if (size == 0) {
            return;
        }
        long now = System.nanoTime();
        for (ArrayDeque<Idle> q : idle.values()) {
            // Oldest first: stop at the first connection still fresh enough.
            for (Iterator<Idle> it = q.iterator(); it.hasNext(); ) {
                Idle e = it.next();
                if (now - e.since < idleTimeoutNanos && e.channel.isActive()) {
                    break;
                }
                it.remove();
                removed();
                recycle(e).close();
            }
        }
    }

    public void close() {
        sweeper.cancel(false);
        if (loop.inEventLoop()) {
            closeAll();
        } else {
            loop.execute(this::closeAll);
        }
    }

    private void closeAll() {
        for (ArrayDeque<Idle> q : idle.values()) {
            for (Idle e : q) {
                removed();
                recycle(e).close();
            }
            q.clear();
        }
    }
}
