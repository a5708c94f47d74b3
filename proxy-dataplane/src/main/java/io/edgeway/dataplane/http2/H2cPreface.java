package io.edgeway.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;

/**
 * The first handler of every client connection, there only until the first bytes arrive: the HTTP/2
 * connection preface ({@code PRI * HTTP/2.0...}) switches the connection to {@link Http2Frontend} (h2c
 * with prior knowledge); anything else leaves the HTTP/1.1 pipeline as it was. It never consumes a byte
 * (but those of a broken HTTP/2 preface, see {@link #H2_REQUEST_LINE}): on removal everything it buffered
 * goes on to whichever pipeline follows. Requests pay nothing for it,
 * only one look at the start of each connection.
 */
public final class H2cPreface extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /**
     * {@code PRI * HTTP/2.0\r\n}: a client that sent this much said it speaks HTTP/2 with prior knowledge.
     * Should the rest of its preface be wrong, that is a connection error PROTOCOL_ERROR (RFC 9113 3.4),
     * not an HTTP/1.1 request to answer.
     */
    private static final int H2_REQUEST_LINE = 16;
    private final Http2Frontend h2;

    public H2cPreface(Http2Frontend h2) {
        this.h2 = h2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE.getByte(i)) {
                if (i >= H2_REQUEST_LINE) {
                    in.skipBytes(in.readableBytes());
                    new DefaultHttp2FrameWriter().writeGoAway(ctx, 0, Http2Error.PROTOCOL_ERROR.code(),
                            Unpooled.EMPTY_BUFFER, ctx.newPromise());
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.pipeline().remove(this); // HTTP/1.x: the codec gets these bytes
                return;
            }
        }
        if (n < PREFACE.readableBytes()) {
            return; // a prefix of the preface so far; ByteToMessageDecoder reads on (AUTO_READ is off)
        }
        ChannelPipeline p = ctx.pipeline();
        Http2Frontend.removeHttp1(p);
        h2.install(p);
        p.remove(this);
        Http2Frontend.readFreely(ctx);
    }
}
