package io.edgeway.dataplane.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of every client connection, there only until the first bytes arrive: the HTTP/2
 * connection preface ({@code PRI * HTTP/2.0...}) switches the connection to {@link Http2Frontend} (h2c
 * with prior knowledge); anything else leaves the HTTP/1.1 pipeline as it was. It never consumes a byte:
 * on removal everything it buffered goes on to whichever pipeline follows. Requests pay nothing for it,
 * only one look at the start of each connection.
 */
final class H2cPreface extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Http2Frontend h2;

    H2cPreface(Http2Frontend h2) {
        this.h2 = h2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE.getByte(i)) {
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
