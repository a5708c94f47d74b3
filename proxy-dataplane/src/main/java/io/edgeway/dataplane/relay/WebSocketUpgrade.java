package io.edgeway.dataplane.relay;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The WebSocket opening handshake (RFC 6455 4.1) as the proxy sees it. Upgrade is hop-by-hop, so
 * {@link HeaderRewriter} drops it from every request; only a well-formed WebSocket handshake gets its
 * Upgrade and Connection headers back before it is forwarded. Any other upgrade (h2c, TLS, a malformed
 * handshake) reaches the target as the plain request it also is, as nginx does without
 * {@code proxy_set_header Upgrade}. Called only for requests that carry an Upgrade header.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {}

    /** A GET over HTTP/1.1 with {@code Upgrade: websocket}, {@code Connection: upgrade}, a key, version 13, no body. */
    static boolean isHandshake(HttpRequest req) {
        HttpHeaders h = req.headers();
        return HttpMethod.GET.equals(req.method())
                && HttpVersion.HTTP_1_1.equals(req.protocolVersion())
                && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && h.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)
                && "13".equals(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
                // A body before the switch would have to be relayed as HTTP and then as bytes: refuse it.
                // Content-Length: 0 is fine (the JDK client sends it).
                && (!h.contains(HttpHeaderNames.CONTENT_LENGTH) || "0".equals(h.get(HttpHeaderNames.CONTENT_LENGTH)))
                && !h.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /** After {@link HeaderRewriter#request}: the two hop-by-hop headers this hop does pass on. */
    static void keepUpgradeHeaders(HttpRequest req) {
        req.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /** Whether the target's 101 accepts a WebSocket (and not some other protocol). */
    static boolean accepted(HttpResponse res) {
        return res.decoderResult().isSuccess()
                && res.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** The 101 as the client gets it: the target's headers minus hop-by-hop ones and Server. */
    static void rewriteResponse(HttpResponse res) {
        HeaderRewriter.stripHopByHop(res.headers());
        res.setProtocolVersion(HttpVersion.HTTP_1_1);
        res.headers().remove(HttpHeaderNames.SERVER)
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
}
