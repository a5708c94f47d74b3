package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A UDP stream port. Each client address gets a session: its own socket connected to one target, so the
 * target's replies come back on that socket and go to that client only (the kernel drops datagrams from any
 * other source). Everything runs on one event loop, so the session table needs no lock. The table is bounded:
 * a new client beyond {@link StreamSettings#udpMaxSessions} evicts the least recently active session (counted),
 * and a session without a datagram either way for the idle timeout ends.
 */
final class UdpListener implements Listener {
    private final EventLoop loop;
    private final int maxSessions;
    private final long idleMs;
    private final Bootstrap targets;
    // Access order: the eldest entry is the least recently active session, the one to evict.
    private final LinkedHashMap<InetSocketAddress, UdpSession> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private Channel channel;
    private ScheduledFuture<?> sweep;
    private volatile PortRoutes routes;

    private UdpListener(EventLoop loop, PortRoutes routes, StreamNet net, StreamSettings settings) {
        this.loop = loop;
        this.routes = routes;
        this.maxSessions = settings.udpMaxSessions();
        this.idleMs = settings.udpIdleTimeout().toMillis();
        this.targets = new Bootstrap().group(loop).channel(net.datagramClass())
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    static UdpListener bind(StreamNet net, PortRoutes routes, StreamSettings settings) throws InterruptedException {
        EventLoop loop = net.workers().next();
        UdpListener self = new UdpListener(loop, routes, net, settings);
        self.channel = new Bootstrap().group(loop).channel(net.datagramClass())
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(self.new FromClients())
                .bind(net.address(), routes.listen().port()).sync().channel();
        self.sweep = loop.scheduleAtFixedRate(self::sweep, self.idleMs, self.idleMs, TimeUnit.MILLISECONDS);
        return self;
    }

    /** Datagrams from clients, on the listener's loop. */
    private final class FromClients extends SimpleChannelInboundHandler<DatagramPacket> {
        FromClients() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            UdpSession s = sessions.get(p.sender());
            if (s == null) {
                s = open(p.sender());
            }
            if (s == null) {
                p.release(); // no route or no target: dropped, as a router would
                return;
            }
            s.send(p.content());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // one client's bad datagram (or an ICMP error) is no reason to close the port
        }
    }

    private UdpSession open(InetSocketAddress client) {
        StreamRule rule = routes.fallback();
        if (rule == null) {
            return null;
        }
        if (sessions.size() >= maxSessions) {
            Iterator<UdpSession> eldest = sessions.values().iterator();
            UdpSession evicted = eldest.next();
            eldest.remove();
            evicted.rule.meter().udpEvicted().inc();
            evicted.close();
        }
        Endpoint t = rule.upstream().pick(EmptyHttpHeaders.INSTANCE, client.getAddress().getHostAddress());
        if (t == null) {
            return null;
        }
        UdpSession s = new UdpSession(client, rule, t);
        ChannelFuture f = targets.clone().handler(s).connect(t.address());
        s.channel = f.channel();
        s.connecting = f;
        sessions.put(client, s);
        rule.meter().connections().inc();
        rule.meter().active().inc();
        return s;
    }

    private void sweep() {
        List<UdpSession> idle = new ArrayList<>();
        for (UdpSession s : sessions.values()) {
            if (!s.touched) {
                idle.add(s);
            }
            s.touched = false;
        }
        idle.forEach(s -> {
            sessions.remove(s.client);
            s.close();
        });
    }

    /** One client's session: its connected socket to one target; replies go back to that client only. */
    private final class UdpSession extends ChannelInboundHandlerAdapter {
        final InetSocketAddress client;
        final StreamRule rule;
        final Endpoint target;
        Channel channel;
        ChannelFuture connecting;
        boolean touched = true;
        boolean closed;

        UdpSession(InetSocketAddress client, StreamRule rule, Endpoint target) {
            this.client = client;
            this.rule = rule;
            this.target = target;
        }

        void send(ByteBuf datagram) {
            touched = true;
            rule.meter().bytesIn().inc(datagram.readableBytes());
            if (connecting.isSuccess()) {
                channel.writeAndFlush(datagram, channel.voidPromise());
            } else if (!connecting.isDone()) {
                connecting.addListener(f -> channel.writeAndFlush(datagram, channel.voidPromise()));
            } else {
                datagram.release();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // a connected socket: only this target's datagrams arrive (as packets, or bare buffers on some transports)
            ByteBuf reply = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
            if (reply == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            touched = true;
            rule.meter().bytesOut().inc(reply.readableBytes());
            UdpListener.this.channel.write(new DatagramPacket(reply, client), UdpListener.this.channel.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            UdpListener.this.channel.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from the target, typically: a failure for passive health, and the session ends
            target.onFailure();
            sessions.remove(client);
            close();
        }

        void close() {
            if (!closed) {
                closed = true;
                channel.close();
                target.release();
                rule.meter().active().dec();
            }
        }
    }

    @Override
    public void routes(PortRoutes routes) {
        this.routes = routes; // new sessions only: a client keeps its target while its session lives
    }

    /** UDP has no connection to finish: the port and its sessions close at once, whatever {@code drainMs}. */
    @Override
    public void close(long drainMs) {
        channel.close().syncUninterruptibly();
        loop.execute(() -> {
            sweep.cancel(false);
            List.copyOf(sessions.values()).forEach(UdpSession::close);
            sessions.clear();
        });
    }
}
