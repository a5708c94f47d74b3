package io.edgeway.dataplane.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;

/**
 * {@code Upgrade: h2c} on a request (RFC 7540 3.2; what java.net.http does for HTTP_2 over http://).
 * Netty's {@link HttpServerUpgradeHandler} does the work (101, HTTP2-Settings, the request becoming
 * stream 1); it is put in front of a connection only when such a request shows up, so ordinary requests
 * never pass through it. Called only for requests that carry an Upgrade header.
 */
public final class H2cUpgrade {
    private static final AsciiString H2C = AsciiString.cached("h2c");

    private H2cUpgrade() {}

    /**
     * A bodyless HTTP/1.1 request with {@code Upgrade: h2c}, exactly one HTTP2-Settings, and both named
     * in Connection. A request with a body stays HTTP/1.1 (Netty would have to aggregate it).
     */
    public static boolean isUpgrade(HttpRequest req) {
        HttpHeaders h = req.headers();
        return HttpVersion.HTTP_1_1.equals(req.protocolVersion())
                && h.containsValue(HttpHeaderNames.UPGRADE, H2C, true)
                && h.getAll(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER).size() == 1
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER, true)
                && (!h.contains(HttpHeaderNames.CONTENT_LENGTH) || "0".equals(h.get(HttpHeaderNames.CONTENT_LENGTH)))
                && !h.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /**
     * Switches the connection. {@code frontendCtx} is the HTTP/1.1 frontend's context; the frontend and
     * drain handlers are removed here, the codec by the upgrade handler once the 101 went through it.
     */
    public static void upgrade(ChannelHandlerContext frontendCtx, HttpRequest req, Http2Frontend h2) {
        ChannelPipeline p = frontendCtx.pipeline();
        HttpServerUpgradeHandler.SourceCodec source = ctx -> ctx.pipeline().remove("codec");
        HttpServerUpgradeHandler.UpgradeCodecFactory factory = protocol -> H2C.contentEqualsIgnoreCase(protocol)
                ? new Http2ServerUpgradeCodec(h2.newFrameCodec(), h2.newMultiplexHandler())
                : null;
        p.remove("frontend");
        p.remove("drain");
        // Nearest the socket, as in install(): the 101 and the server's SETTINGS leave in one flush, and the
        // streams' responses are batched per turn as on a prior-knowledge or TLS connection.
        p.addBefore("codec", "h2-flush", new H2FlushBatcher());
        p.addAfter("codec", "h2c-upgrade", new HttpServerUpgradeHandler(source, factory, 0));
        p.addLast("h2-connection", h2.newConnectionHandler());
        // Head and end separately: the upgrade handler is an aggregator, which lets a FullHttpRequest pass
        // untouched. The decoder's own end of this request follows and is dropped by H2Connection.
        ChannelHandlerContext codec = p.context("codec");
        codec.fireChannelRead(req);
        codec.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        Http2Frontend.readFreely(p.firstContext());
    }
}
