package io.edgeway.dataplane.warmup;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;

/**
 * The synthetic requests, by their number on a connection: mostly GETs, some chunked answers, some POSTs with a
 * form body, and (HTTP/1.1) one in four as a load generator or health checker sends it: {@code Host} an address
 * with a port, no other header. That last shape takes the any-host route and the Host checks for addresses,
 * which the named host never reached (bench/cold-start.sh DIAG=1 saw them compiled after ready).
 */
final class WarmupRequests {
    static final String HOST = "warmup.edgeway.invalid";
    static final byte[] POST_BODY = "warm=up&".repeat(64).getBytes(StandardCharsets.US_ASCII);

    private WarmupRequests() {}

    /** Whether the {@code n}-th request on a connection is a POST with {@link #POST_BODY}. */
    static boolean isPost(int n) {
        return n % 4 == 3;
    }

    /** The {@code n}-th HTTP/1.1 request on a connection to the warm-up listener on {@code port}. */
    static FullHttpRequest http1(int n, int port) {
        FullHttpRequest req = switch (n % 4) {
            case 1 -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/chunked/" + n);
            case 2 -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/small");
            case 3 -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/form?n=" + n,
                    Unpooled.wrappedBuffer(POST_BODY));
            default -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/static/app.js?v=" + n);
        };
        if (n % 4 == 2) {
            req.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port); // as wrk sends it: nothing else
            return req;
        }
        req.headers().set(HttpHeaderNames.HOST, HOST).set(HttpHeaderNames.USER_AGENT, "edgeway-warmup")
                .set(HttpHeaderNames.ACCEPT, "*/*");
        if (isPost(n)) {
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
        }
        return req;
    }

    /** The {@code n}-th h2 request on a connection; a POST's body follows in one DATA frame. */
    static Http2Headers h2(int n, boolean overTls) {
        return new DefaultHttp2Headers().method(isPost(n) ? "POST" : "GET").scheme(overTls ? "https" : "http")
                .authority(HOST)
                .path(n % 4 == 1 ? "/chunked/" + n : isPost(n) ? "/form?n=" + n : "/static/app.js?v=" + n)
                .set("user-agent", "edgeway-warmup");
    }
}
