package io.edgeway.dataplane.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes an HTTP/2 stream's request look exactly like one the HTTP/1.1 decoder produces, so that the
 * {@link FrontendHandler} and {@link Exchange} need no HTTP/2 knowledge: a bodyless request arrives as a
 * FullHttpRequest and is split into head and end, and the conversion's own {@code x-http2-*} headers
 * (scheme, path, stream id, whether the conversion or a client put them there) never reach a target.
 */
final class H2StreamAdapter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            stripExtensionHeaders(req.headers());
            if (msg instanceof FullHttpRequest full) {
                HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                        full.headers());
                LastHttpContent end = full.content().isReadable()
                        ? new io.netty.handler.codec.http.DefaultLastHttpContent(full.content(),
                                full.trailingHeaders())
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
