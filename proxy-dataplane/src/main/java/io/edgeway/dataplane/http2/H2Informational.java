package io.edgeway.dataplane.http2;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * On a client's HTTP/2 stream, turns a relayed 1xx (100 Continue, 103 Early Hints) into the one form
 * Netty's HTTP/2 object codec accepts for it: a full response, which becomes a HEADERS frame that does not
 * end the stream. The {@link Exchange} relays a 1xx as an HTTP/1.1 decoder gives it, head then an empty
 * end; written as such, the head would fail to encode and the end would close the stream before the
 * final response. One per stream: it remembers that the end of the interim answer is still to come.
 */
final class H2Informational extends ChannelOutboundHandlerAdapter {
    private boolean inInterim;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse res && !(msg instanceof FullHttpResponse) && isInterim(res)) {
            inInterim = true;
            ctx.write(new DefaultFullHttpResponse(res.protocolVersion(), res.status(), Unpooled.EMPTY_BUFFER,
                    res.headers(), EmptyHttpHeaders.INSTANCE), promise);
        } else if (inInterim && msg instanceof HttpContent) {
            inInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg); // a 1xx has no body
            promise.setSuccess();
        } else {
            ctx.write(msg, promise);
        }
    }

    private static boolean isInterim(HttpResponse res) {
        int code = res.status().code();
        return code >= 100 && code < 200 && code != 101;
    }
}
