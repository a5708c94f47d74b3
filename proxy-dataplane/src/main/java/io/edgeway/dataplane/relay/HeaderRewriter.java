package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.http1.ConnectionHeader;
import io.edgeway.dataplane.http1.Http;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

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
        stripHopByHop(h);
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
        forwarded.set(forwardedFor, proto, forwardedHost, host != null);
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
     * Why a target's final response may not be relayed, or {@code null}. The client gets exactly the framing
     * the proxy parsed, so nothing that leaves two readings of it passes (as nginx, which answers 502 too):
     * a Connection header naming a framing field, a Transfer-Encoding other than a single {@code chunked},
     * or both Content-Length and Transfer-Encoding. A misread response would also leave the target's next
     * bytes on a pooled connection to be read as the answer to someone else's request.
     */
    static String responseFramingError(HttpHeaders h) {
        String connection = ConnectionHeader.responseError(h);
        if (connection != null) {
            return connection;
        }
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (te.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te.get(0).trim())) {
                return "the target sent a Transfer-Encoding other than chunked";
            }
            if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return "the target sent both Content-Length and Transfer-Encoding";
            }
        }
        return null;
    }

    /**
     * Removes hop-by-hop headers: Connection and every header it names, Keep-Alive, Proxy-Connection, TE,
     * Trailer and Upgrade. Framing and routing fields stay whatever Connection says (a request or response
     * naming them is refused before this, see {@link ConnectionHeader}); removing one would unframe the
     * message. Transfer-Encoding stays too: the codecs re-frame the body and need it.
     */
    static void stripHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String token : ConnectionHeader.tokens(h)) {
                if (!ConnectionHeader.isProtected(token)) {
                    h.remove(token);
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
