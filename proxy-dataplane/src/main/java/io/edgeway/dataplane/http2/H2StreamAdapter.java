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
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.util.Arrays;

/**
 * Makes an HTTP/2 stream's messages look exactly like those the HTTP/1.1 codecs produce, so that the
 * {@link FrontendHandler} and {@link Exchange} need no HTTP/2 knowledge, whichever side speaks HTTP/2: a
 * bodyless message (a request without DATA; a response that ends with its HEADERS, such as a 1xx, a 204
 * or the answer to HEAD) arrives as a full message and is split into head and end, and the conversion's
 * own {@code x-http2-*} headers (scheme, path, stream id, whether the conversion or a peer put them
 * there) never travel on. One instance serves every stream; a stream's own state is a channel attribute.
 */
@ChannelHandler.Sharable
public final class H2StreamAdapter extends ChannelInboundHandlerAdapter {
    public static final H2StreamAdapter INSTANCE = new H2StreamAdapter();

    /** Set on a stream whose request is a GET or HEAD: DATA with content in it ends the stream. */
    private static final AttributeKey<Boolean> BODYLESS = AttributeKey.valueOf("edgeway.h2.bodyless");
    /** Read once: {@code values()} would copy the array for every request and response. */
    private static final AsciiString[] EXTENSION_HEADERS = Arrays.stream(
            HttpConversionUtil.ExtensionHeaderNames.values()).map(n -> n.text()).toArray(AsciiString[]::new);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent c && !(msg instanceof HttpMessage) && c.content().isReadable()
                && ctx.channel().hasAttr(BODYLESS)) {
            c.release();
            ctx.channel().close(); // RST_STREAM; the exchange drops the target connection with the head on it
            return;
        }
        if (msg instanceof HttpRequest req && !(msg instanceof FullHttpMessage) && isBodyless(req)) {
            // HEADERS without END_STREAM: the conversion says "Transfer-Encoding: chunked" because DATA may
            // follow. A GET or HEAD has no body (many targets read one as the next request, the CL.0 desync,
            // and HTTP/1.1 clients get 400 for it), so the target gets the head alone and an empty end
            // passes; content ends the stream.
            req.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            ctx.channel().attr(BODYLESS).set(Boolean.TRUE);
        }
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

    private static boolean isBodyless(HttpRequest req) {
        return (HttpMethod.GET.equals(req.method()) || HttpMethod.HEAD.equals(req.method()))
                && !req.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
    }

    private static void stripExtensionHeaders(HttpHeaders h) {
        for (AsciiString name : EXTENSION_HEADERS) {
            h.remove(name);
        }
    }
}
