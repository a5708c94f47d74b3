package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.HalfClosedEpoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * The first handler of a stream client connection: picks the route (at once, or once {@link SniPeek} has read
 * the ClientHello), connects to a target of its upstream on the client's own event loop, and then hands both
 * channels to a pair of {@link Relay}s. The client is not read (autoRead off) until the target is connected,
 * so nothing is buffered beyond the hello. A target that refuses counts as a passive-health failure and the
 * next one is tried, up to {@link #ATTEMPTS} in all.
 */
final class TcpFrontend extends ChannelInboundHandlerAdapter {
    static final int ATTEMPTS = 3;

    private final PortRoutes routes;
    private final Bootstrap targets; // the listener's template: channel class, options, connect timeout
    private final long idleMs;
    private ChannelHandlerContext ctx;
    // Until the target is connected: bytes the transport read anyway (epoll reads on a FIN even with autoRead
    // off) and whether the client's FIN came, so neither is lost. Bounded by one read loop of the socket buffer.
    private ByteBuf early;
    private boolean finEarly;
    private boolean relaying;

    TcpFrontend(PortRoutes routes, Bootstrap targets, long idleMs) {
        this.routes = routes;
        this.targets = targets;
        this.idleMs = idleMs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (routes.bySni()) {
            ctx.channel().read(); // SniPeek, before this handler, gathers the hello and calls route()
        } else {
            route(routes.fallback(), null);
        }
        ctx.fireChannelActive();
    }

    /** {@code rule} null: nothing takes this connection. {@code first}: bytes read already, to send first. */
    void route(StreamRule rule, ByteBuf first) {
        Channel client = ctx.channel();
        if (rule == null || !client.isActive()) {
            release(first);
            client.close();
            return;
        }
        rule.meter().connections().inc();
        rule.meter().active().inc();
        client.closeFuture().addListener(f -> rule.meter().active().dec());
        connect(rule, first, 1);
    }

    private void connect(StreamRule rule, ByteBuf first, int attempt) {
        Channel client = ctx.channel();
        String clientIp = client.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
        Endpoint t = rule.upstream().pick(EmptyHttpHeaders.INSTANCE, clientIp);
        if (t == null) {
            release(first);
            client.close();
            return;
        }
        ChannelFuture f = targets.clone(client.eventLoop()).handler(new ChannelInboundHandlerAdapter())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new StreamReads()) // one per channel: it counts spliced bytes
                .connect(t.address());
        f.addListener(done -> {
            Channel target = f.channel();
            if (!done.isSuccess()) {
                t.onFailure();
                t.release();
                if (attempt < ATTEMPTS && client.isActive()) {
                    connect(rule, first, attempt + 1);
                } else {
                    release(first);
                    client.close();
                }
                return;
            }
            t.onSuccess();
            if (!client.isActive()) { // the client left while we connected
                t.release();
                release(first);
                target.close();
                return;
            }
            TcpConnection c = new TcpConnection(client, target, t, idleMs);
            target.pipeline().addLast("relay", new Relay(client, rule.meter().bytesOut(), c));
            Relay fromClient = new Relay(target, rule.meter().bytesIn(), c);
            client.pipeline().addLast("relay", fromClient);
            relaying = true;
            for (ByteBuf b : new ByteBuf[] {first, early}) {
                if (b != null) {
                    rule.meter().bytesIn().inc(b.readableBytes());
                    target.write(b, target.voidPromise());
                }
            }
            early = null;
            target.flush();
            if (!Relay.inputShut(target)) {
                target.config().setAutoRead(true);
            }
            if (finEarly || Relay.inputShut(client)) {
                fromClient.inputShutdown(client);
            } else {
                client.config().setAutoRead(true);
            }
        });
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (relaying) {
            ctx.fireChannelRead(msg);
        } else if (msg instanceof ByteBuf b) {
            early = early == null ? b : ctx.alloc().compositeDirectBuffer(16).addFlattenedComponents(true, early)
                    .addFlattenedComponents(true, b);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!relaying && evt instanceof ChannelInputShutdownEvent) {
            finEarly = true;
            HalfClosedEpoll.keepRegistered(ctx.channel()); // now, while the fd is still in epoll (see Relay)
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release(early);
        early = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (relaying) {
            ctx.fireExceptionCaught(cause); // the relay's to handle
        } else {
            ctx.close(); // before the relay exists (a reset during the hello or the connect)
        }
    }
}
