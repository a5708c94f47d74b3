package io.edgeway.dataplane.netty;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/** What the proxy changes in the heads it relays, in both directions. */
final class HeaderRewriter {
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");

    private HeaderRewriter() {}

    /**
     * Prepares a validated request (origin-form, normalised path) for the target. X-Forwarded-For, -Proto
     * and -Host describe the hop the proxy saw. A client could claim anything in them, so they are
     * overwritten, unless the direct peer is a trusted proxy (a load balancer in front of the fleet): then
     * its X-Forwarded-For is kept and the peer appended, and its -Proto and -Host are kept when present.
     * The values the proxy adds go to {@code forwarded}, not into the head (see {@link ForwardedFields}).
     * {@code host} is the request's Host header, which the caller has already read to route it.
     */
    static void request(HttpRequest req, String host, String peerIp, boolean trustedPeer, CharSequence scheme,
                        ForwardedFields forwarded) {
        HttpHeaders h = req.headers();
        stripHopByHop(h); // keeps Host, even when Connection names it
        String forwardedFor = peerIp;
        if (trustedPeer && h.contains(Http.X_FORWARDED_FOR)) {
            forwardedFor = String.join(", ", h.getAll(Http.X_FORWARDED_FOR)) + ", " + peerIp;
        }
        h.remove(Http.X_FORWARDED_FOR);
        CharSequence proto = null;
        if (!trustedPeer || !h.contains(Http.X_FORWARDED_PROTO)) {
            h.remove(Http.X_FORWARDED_PROTO);
            proto = scheme;
        }
        String forwardedHost = null;
        if (!trustedPeer || !h.contains(Http.X_FORWARDED_HOST)) {
            h.remove(Http.X_FORWARDED_HOST);
            forwardedHost = host;
        }
        forwarded.set(forwardedFor, proto, forwardedHost);
        req.setProtocolVersion(HttpVersion.HTTP_1_1); // always keep-alive toward upstreams
    }

    /**
     * Request trailers arrive after the head was checked and forwarded, so nothing in them may change what
     * the head said: framing, Host, the forwarded headers, hop-by-hop fields are dropped; the rest passes.
     */
    static void requestTrailers(HttpHeaders t) {
        stripHopByHop(t);
        t.remove(HttpHeaderNames.HOST);
        t.remove(HttpHeaderNames.CONTENT_LENGTH);
        t.remove(HttpHeaderNames.TRANSFER_ENCODING);
        t.remove(Http.X_FORWARDED_FOR);
        t.remove(Http.X_FORWARDED_PROTO);
        t.remove(Http.X_FORWARDED_HOST);
        t.remove(FORWARDED);
        t.remove(X_REAL_IP);
    }

    /**
     * Prepares a final (non-1xx) response head for the client and re-frames its body when the client's
     * HTTP version needs it. Returns whether the client connection can stay open afterwards.
     */
    static boolean response(HttpResponse res, HttpRequest req, boolean keepAlive) {
        HttpHeaders h = res.headers();
        int code = res.status().code();
        stripHopByHop(h);
        // The client talks to the proxy, not the target: answer in the proxy's HTTP version (as nginx does,
        // whatever the target spoke), and do not tell the client which server software runs behind it.
        res.setProtocolVersion(HttpVersion.HTTP_1_1);
        h.remove(HttpHeaderNames.SERVER);
        boolean http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        boolean chunked = HttpUtil.isTransferEncodingChunked(res);
        boolean bodyless = code == 204 || code == 304 || HttpMethod.HEAD.equals(req.method());
        if (!bodyless && !chunked && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // The target delimits the body by closing; re-frame it for HTTP/1.1 clients.
            if (http10) {
                keepAlive = false;
            } else {
                HttpUtil.setTransferEncodingChunked(res, true);
            }
        } else if (chunked && http10) {
            HttpUtil.setTransferEncodingChunked(res, false);
            keepAlive = false;
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return keepAlive;
    }

    /**
     * Removes hop-by-hop headers: Connection and every header it names, Keep-Alive, Proxy-Connection, TE,
     * Trailer and Upgrade. Transfer-Encoding stays: the codecs re-frame the body and need it. Host stays
     * too: the route was chosen by it, and a client must not be able to hide it from the target.
     */
    static void stripHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                int start = 0;
                while (start <= value.length()) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? value.length() : comma;
                    String token = value.substring(start, end).trim();
                    if (!token.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(token)
                            && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(token)) {
                        h.remove(token);
                    }
                    start = end + 1;
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
    }
}
