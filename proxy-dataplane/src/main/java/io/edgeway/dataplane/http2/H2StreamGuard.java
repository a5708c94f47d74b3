package io.edgeway.dataplane.http2;

import io.edgeway.dataplane.grpc.GrpcStreamSwitch;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The first handler of every client HTTP/2 stream, plain or gRPC: the one place a stream's headers are
 * accepted, and the one place its protocol errors end it.
 *
 * <p>Netty's frame codec does most of RFC 9113's checks (frame sizes, stream states, flow control,
 * pseudo-header presence and order, connection-specific fields, {@code content-length} against DATA) and
 * reports a stream error by firing it into the stream's pipeline, then closing the stream with the error's
 * code. A handler that closes the stream on that exception first would turn the answer into a
 * RST_STREAM(CANCEL), or none at all; so such an exception stops here. What Netty does not check, this
 * does on the HEADERS that open the stream and on trailers ({@link H2RequestCheck}); a request that fails
 * is reset with PROTOCOL_ERROR (RFC 9113 8.1.1) before any handler behind this one, or a target, saw it.
 * The request head it accepts is also where the stream turns gRPC, or not ({@link GrpcStreamSwitch}).
 */
final class H2StreamGuard extends ChannelInboundHandlerAdapter {
    private final Metrics metrics;
    private final GrpcStreamSwitch grpcSwitch;
    private boolean refused;
    private boolean headSeen;

    H2StreamGuard(Metrics metrics, GrpcStreamSwitch grpcSwitch) {
        this.metrics = metrics;
        this.grpcSwitch = grpcSwitch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame headers) {
            String problem = H2RequestCheck.problem(headers.headers(), headSeen);
            if (problem != null) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, Http2Error.PROTOCOL_ERROR);
                return;
            }
            if (!headSeen) {
                grpcSwitch.takeOver(ctx, headers);
            }
            headSeen = true;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Http2Error error) {
        refused = true;
        metrics.badRequests.increment();
        // The reset closes the stream in the connection; the stream channel follows (without a second reset).
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(error)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // A stream error from the frame codec: Http2MultiplexHandler resets the stream with its code right
        // after this returns. Should anything else ever fire one, the stream still ends (with CANCEL).
        refused = true;
        // Streams whose answers still wait for flow-control window when the client closes its connection
        // (h2load's stop: GOAWAY, then the socket closes at once) get a ClosedChannelException carrying a
        // stream error: no request was malformed, the client left.
        if (ctx.channel().parent().isActive()) {
            metrics.badRequests.increment();
        }
        ctx.executor().execute(() -> {
            if (ctx.channel().isOpen()) {
                ctx.close();
            }
        });
    }
}
