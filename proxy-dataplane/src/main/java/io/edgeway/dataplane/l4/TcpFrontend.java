package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.EmptyHttpHeaders;
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
            client.pipeline().addLast("relay", new Relay(target, rule.meter().bytesIn(), c));
            if (first != null) {
                rule.meter().bytesIn().inc(first.readableBytes());
                target.writeAndFlush(first, target.voidPromise());
            }
            target.config().setAutoRead(true);
            client.config().setAutoRead(true);
        });
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // before the relay exists (a reset during the hello); the relay handles its own
    }
}
