package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The Host of a request that reached the proxy without one (HTTP/1.0 allows that; the validator lets no
 * HTTP/1.1 request through without it) and leaves it as HTTP/1.1 ({@link HeaderRewriter#request}). An HTTP/1.1
 * request without Host is malformed (RFC 9112 3.2): a strict target answers 400 and closes its connection, so
 * every such request cost a failed answer and a new target connection. It gets the target's own authority,
 * host and port as configured, the way nginx's {@code proxy_pass} fills {@code $proxy_host}: a value from the
 * configuration, never from the client. A retry on another target gets that target's.
 */
final class TargetHost {
    private TargetHost() {}

    /**
     * Just before the head goes to {@code target}; a Host the client sent is kept. Whether there was one comes from
     * {@code fields} ({@link HeaderRewriter#request}), not from a lookup in the head on every request.
     */
    static void fill(HttpRequest req, Endpoint target, ForwardedFields fields) {
        if (target != null && fields.hostFromTarget()) {
            req.headers().set(HttpHeaderNames.HOST, authority(target));
        }
    }

    /** host[:port], the port left out when it is the scheme's default; an IPv6 literal in brackets. */
    static String authority(Endpoint target) {
        String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
        int defaultPort = target.tls() == null ? 80 : 443;
        return target.port() == defaultPort ? host : host + ":" + target.port();
    }
}
