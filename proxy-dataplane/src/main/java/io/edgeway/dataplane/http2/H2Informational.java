package io.edgeway.dataplane.http2;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * On a client's HTTP/2 stream, turns a relayed 1xx (100 Continue, 103 Early Hints) into the one form
 * Netty's HTTP/2 object codec accepts for it: a full response, which becomes a HEADERS frame that does not
 * end the stream. The {@link Exchange} relays a 1xx as an HTTP/1.1 decoder gives it, head then an empty
 * end; written as such, the head would fail to encode and the end would close the stream before the
 * final response. One instance serves every stream (a stream costs no handler for it): the stream that
 * waits for the end of an interim answer carries a channel attribute until it comes, and 1xx answers are
 * rare enough that only they pay for one.
 */
@ChannelHandler.Sharable
final class H2Informational extends ChannelOutboundHandlerAdapter {
    static final H2Informational INSTANCE = new H2Informational();

    /** On a stream whose interim answer's head went out and whose end has not yet come. */
    private static final AttributeKey<Boolean> IN_INTERIM = AttributeKey.valueOf("edgeway.h2.interim");

    private H2Informational() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse res && !(msg instanceof FullHttpResponse) && isInterim(res)) {
            ctx.channel().attr(IN_INTERIM).set(Boolean.TRUE);
            ctx.write(new DefaultFullHttpResponse(res.protocolVersion(), res.status(), Unpooled.EMPTY_BUFFER,
                    res.headers(), EmptyHttpHeaders.INSTANCE), promise);
        } else if (msg instanceof HttpContent && inInterim(ctx)) {
            if (msg instanceof LastHttpContent) {
                ctx.channel().attr(IN_INTERIM).set(null); // the final answer passes
            }
            ReferenceCountUtil.release(msg); // a 1xx has no body
            promise.setSuccess();
        } else {
            ctx.write(msg, promise);
        }
    }

    /** hasAttr first: it looks, where attr() would add an attribute to every stream that writes content. */
    private static boolean inInterim(ChannelHandlerContext ctx) {
        return ctx.channel().hasAttr(IN_INTERIM) && ctx.channel().attr(IN_INTERIM).get() != null;
    }

    private static boolean isInterim(HttpResponse res) {
        int code = res.status().code();
        return code >= 100 && code < 200 && code != 101;
    }
}
