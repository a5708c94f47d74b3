package io.edgeway.dataplane.grpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The handler of the target's stream channel in a {@link GrpcRelay}: its frames are copied to the client's
 * stream, read on only while the client's stream is writable. Same event loop as the relay: no locking.
 */
final class GrpcTargetSide extends ChannelInboundHandlerAdapter {
    private final GrpcRelay relay;

    GrpcTargetSide(GrpcRelay relay) {
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext uctx, Object msg) {
        if (relay.done || relay.responseEnded) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof Http2HeadersFrame h) {
            if (!relay.responseStarted) {
                relay.count(GrpcHeaders.statusCode(h.headers()));
            }
            relay.responseStarted = true;
            relay.responseEnded = h.isEndStream();
            if (h.isEndStream()) {
                relay.call.trailers(h.headers()); // trailers, or a Trailers-Only answer
            }
            relay.cancelFirstByte();
            GrpcHeaders.response(h.headers());
            relay.ctx.write(new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream()));
        } else if (msg instanceof Http2DataFrame d) {
            relay.responseEnded = d.isEndStream();
            relay.call.bytesOut += d.content().readableBytes();
            relay.ctx.write(new DefaultHttp2DataFrame(d.content(), d.isEndStream()));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext uctx) {
        relay.ctx.flush();
        if (!relay.done && !relay.responseEnded && relay.ctx.channel().isWritable()) {
            uctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext uctx) {
        if (uctx.channel().isWritable() && !relay.done) {
            relay.readClientIfWritable();
        }
        uctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext uctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset && !relay.done) {
            // The target reset its stream: the client's gets the same code.
            relay.done = true;
            relay.cancelFirstByte();
            relay.ctx.writeAndFlush(new DefaultHttp2ResetFrame(reset.errorCode()));
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext uctx) {
        if (!relay.done && !relay.responseEnded) {
            relay.fail(GrpcHeaders.UNAVAILABLE, "the target closed the stream before the response was complete");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext uctx, Throwable cause) {
        uctx.close();
    }
}
