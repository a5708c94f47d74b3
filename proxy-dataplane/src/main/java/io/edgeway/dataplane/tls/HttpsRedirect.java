package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The 308 a route with {@code https_redirect} answers plain-HTTP requests with: the same host and
 * path-and-query under https://, on the external HTTPS port (EDGEWAY_HTTPS_EXTERNAL_PORT, default 443: the
 * load balancer's, left out of the URL when 443). 308, not 301: the method and body are kept.
 */
public final class HttpsRedirect {
    /** Read once, like the proxy's other process-wide settings read from the environment. */
    public static final int EXTERNAL_PORT = externalPort(System.getenv());
    // A host name, IPv4 or bracketed IPv6, optionally with a port: nothing that could end the header line.
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}])(:[0-9]{1,5})?");

    private HttpsRedirect() {}

    static int externalPort(Map<String, String> env) {
        String v = env.getOrDefault("EDGEWAY_HTTPS_EXTERNAL_PORT", "443").trim();
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("EDGEWAY_HTTPS_EXTERNAL_PORT: " + v + " (expected: 1-65535)");
    }

    /** The Location for {@code host} (the request's Host header) and {@code uri} (origin-form); null if the host is unusable. */
    public static String location(String host, String uri, int port) {
        if (host == null || !HOST.matcher(host).matches()) {
            return null;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        String path = uri != null && uri.startsWith("/") ? uri : "/";
        return "https://" + name + (port == 443 ? "" : ":" + port) + path;
    }

    /** The 308 with an empty body; {@code close} adds Connection: close. */
    public static FullHttpResponse response(ByteBufAllocator alloc, String location, boolean close) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PERMANENT_REDIRECT,
                Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        return res;
    }
}
