package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.tls.ClientHelloSni;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On a port routed by SNI: gathers the client's first bytes until they hold a whole ClientHello, reads its
 * server name without terminating TLS, and hands the route and every byte read to {@link TcpFrontend}, which
 * sends them on unchanged. Anything else is closed: bytes that are not TLS, a malformed hello or server name,
 * a name no route takes (when the port has no default), a hello over {@link #MAX_HELLO} bytes, or one that
 * does not complete within the hello timeout (a slowloris holding the port's buffers).
 */
final class SniPeek extends ChannelInboundHandlerAdapter {
    static final int MAX_HELLO = 16 * 1024;

    private final PortRoutes routes;
    private final TcpFrontend frontend;
    private final long timeoutMs;
    private ByteBuf buffered;
    private ScheduledFuture<?> timer;

    SniPeek(PortRoutes routes, TcpFrontend frontend, long timeoutMs) {
        this.routes = routes;
        this.frontend = frontend;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            ctx.close();
        }, timeoutMs, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (buffered == null) {
            buffered = in;
        } else {
            buffered = ctx.alloc().compositeDirectBuffer(16).addFlattenedComponents(true, buffered)
                    .addFlattenedComponents(true, in);
        }
        ByteBuf hello;
        try {
            hello = TlsRecords.clientHello(buffered);
        } catch (TlsRecords.NotAHello e) {
            ctx.close();
            return;
        }
        if (hello == null) {
            if (buffered.readableBytes() >= MAX_HELLO) {
                ctx.close();
            } else {
                ctx.read();
            }
            return;
        }
        StreamRule rule;
        try {
            rule = routes.select(ClientHelloSni.serverName(hello));
        } catch (IllegalArgumentException e) {
            rule = null;
        } finally {
            hello.release();
        }
        ByteBuf first = buffered;
        buffered = null;
        ctx.pipeline().remove(this);
        frontend.route(rule, first);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // a FIN before the whole hello: it never completes
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }
}
