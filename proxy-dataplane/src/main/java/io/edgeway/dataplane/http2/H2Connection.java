package io.edgeway.dataplane.http2;

import io.edgeway.dataplane.http1.Http;
import io.edgeway.dataplane.listener.Drain;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of an HTTP/2 client connection's pipeline. It closes the connection when it has sat with no
 * open stream for the keep-alive timeout, and when the proxy drains: a close of the frame codec is
 * graceful (GOAWAY, then open streams finish before the socket closes).
 */
final class H2Connection extends ChannelInboundHandlerAdapter {
    private final Metrics metrics;

    H2Connection(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest && ctx.pipeline().get(Http2FrameCodec.class) == null) {
            // An Upgrade: h2c that Netty's upgrade handler refused after all (e.g. bad HTTP2-Settings).
            ReferenceCountUtil.release(msg);
            metrics.badRequests.increment();
            ctx.writeAndFlush(Http.problem(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "invalid h2c upgrade", true))
                    .addListener(f -> ctx.close());
            return;
        }
        // The end of the upgrade request and connection-level frames nobody here needs.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Drain.CLOSE_WHEN_IDLE) {
            ctx.close();
        } else if (evt instanceof IdleStateEvent e && e.state() == IdleState.ALL_IDLE) {
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The frame codec reports protocol errors here and then answers them itself (GOAWAY with the
        // error's code, e.g. ENHANCE_YOUR_CALM for a rapid reset); a close from here would go first and
        // turn that into a graceful NO_ERROR.
        if (!(cause instanceof Http2Exception) && !(cause.getCause() instanceof Http2Exception)) {
            ctx.close();
        }
    }
}
