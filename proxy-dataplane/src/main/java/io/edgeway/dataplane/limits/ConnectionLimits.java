package io.edgeway.dataplane.limits;

import io.edgeway.dataplane.listener.ClientAddress;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code EDGEWAY_MAX_CONNECTIONS} per listener and {@code EDGEWAY_MAX_CONNECTIONS_PER_IP} per client address
 * (over all listeners). A connection over either is closed as it starts, before a byte of it is read. The
 * check runs when the pipeline starts, i.e. after a trusted load balancer's PROXY header, so the address
 * counted is the client's. The per-address table holds only addresses with open connections: its size is
 * bounded by the number of open connections.
 */
public final class ConnectionLimits {
    private final int maxPerListener;
    private final int maxPerIp;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    /** Connections refused by either limit, for metrics and tests. */
    public final LongAdder refused = new LongAdder();
    /** Refusals per listener and limit, in the order the listeners' guards were made (for the metrics page). */
    private final java.util.List<Refusals> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** One listener's refusals: over its own limit, and over the per-address limit. */
    public record Refusals(String listener, LongAdder overListener, LongAdder overClientIp) {}

    public ConnectionLimits(int maxPerListener, int maxPerIp) {
        this.maxPerListener = maxPerListener;
        this.maxPerIp = maxPerIp;
    }

    public boolean any() {
        return maxPerListener > 0 || maxPerIp > 0;
    }

    /**
     * A handler for the connections of the listener named {@code listener} (it keeps that listener's count);
     * shared by its connections. The name labels its refusals on the metrics page.
     */
    public ChannelHandler newListenerGuard(String listener) {
        Refusals r = new Refusals(listener, new LongAdder(), new LongAdder());
        refusals.add(r);
        return new Guard(new AtomicInteger(), r);
    }

    /** Every listener's refusals so far. */
    public java.util.List<Refusals> refusals() {
        return java.util.List.copyOf(refusals);
    }

    /** Open connections of one address right now (0 when none). */
    public int openFrom(InetAddress address) {
        AtomicInteger n = perIp.get(address);
        return n == null ? 0 : n.get();
    }

    @ChannelHandler.Sharable
    private final class Guard extends ChannelInboundHandlerAdapter {
        private final AtomicInteger open;
        private final Refusals refusals;

        Guard(AtomicInteger open, Refusals refusals) {
            this.open = open;
            this.refusals = refusals;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (maxPerListener > 0 && open.incrementAndGet() > maxPerListener) {
                open.decrementAndGet();
                refusals.overListener().increment();
                refuse(ctx);
                return;
            }
            InetSocketAddress client = ClientAddress.of(ctx.channel());
            InetAddress ip = client == null ? null : client.getAddress();
            if (maxPerIp > 0 && ip != null) {
                AtomicInteger n = perIp.compute(ip, (k, v) -> {
                    AtomicInteger c = v == null ? new AtomicInteger() : v;
                    c.incrementAndGet(); // inside compute: never on an entry a concurrent release just dropped
                    return c;
                });
                if (n.get() > maxPerIp) {
                    release(ip);
                    if (maxPerListener > 0) {
                        open.decrementAndGet();
                    }
                    refusals.overClientIp().increment();
                    refuse(ctx);
                    return;
                }
            }
            InetAddress counted = maxPerIp == 0 ? null : ip;
            // Released when the socket closes, not in channelInactive: a WebSocket tunnel rebuilds the pipeline
            // without this handler, and its counts then leaked for good (an address that had opened its limit of
            // WebSockets was refused from then on). Out of the pipeline once counted: nothing per read.
            ctx.channel().closeFuture().addListener(f -> {
                if (maxPerListener > 0) {
                    open.decrementAndGet();
                }
                if (counted != null) {
                    release(counted);
                }
            });
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }

        private void refuse(ChannelHandlerContext ctx) {
            refused.increment();
            ctx.close();
        }
    }

    private void release(InetAddress ip) {
        // Drop the entry at zero, atomically with respect to a concurrent increment of the same address.
        perIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
}
