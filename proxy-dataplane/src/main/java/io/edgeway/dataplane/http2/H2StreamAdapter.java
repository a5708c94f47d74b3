package io.edgeway.dataplane.http2;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes an HTTP/2 stream's messages look exactly like those the HTTP/1.1 codecs produce, so that the
 * {@link FrontendHandler} and {@link Exchange} need no HTTP/2 knowledge, whichever side speaks HTTP/2: a
 * bodyless message (a request without DATA; a response that ends with its HEADERS, such as a 1xx, a 204
 * or the answer to HEAD) arrives as a full message and is split into head and end, and the conversion's
 * own {@code x-http2-*} headers (scheme, path, stream id, whether the conversion or a peer put them
 * there) never travel on. Stateless: one instance serves every stream.
 */
@ChannelHandler.Sharable
public final class H2StreamAdapter extends ChannelInboundHandlerAdapter {
    public static final H2StreamAdapter INSTANCE = new H2StreamAdapter();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpMessage m) {
            stripExtensionHeaders(m.headers());
            if (msg instanceof FullHttpMessage full) {
                HttpMessage head = full instanceof FullHttpRequest req
                        ? new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers())
                        : new DefaultHttpResponse(full.protocolVersion(), ((FullHttpResponse) full).status(),
                                full.headers());
                LastHttpContent end = full.content().isReadable()
                        ? new DefaultLastHttpContent(full.content(), full.trailingHeaders())
                        : LastHttpContent.EMPTY_LAST_CONTENT;
                if (end == LastHttpContent.EMPTY_LAST_CONTENT) {
                    full.release();
                }
                ctx.fireChannelRead(head);
                ctx.fireChannelRead(end);
                return;
            }
        } else if (msg instanceof LastHttpContent last) {
            stripExtensionHeaders(last.trailingHeaders());
        }
        ctx.fireChannelRead(msg);
    }

    private static void stripExtensionHeaders(HttpHeaders h) {
        for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
            h.remove(n.text());
        }
    }
}
