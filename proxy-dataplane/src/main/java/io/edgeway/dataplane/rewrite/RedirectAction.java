package io.edgeway.dataplane.rewrite;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * A redirect route's answer. The scheme and host come from the config alone ({@code origin}, empty for a
 * path-only target); request data can only extend the path and add the query, percent-encoded where it is not
 * plain visible ASCII, so it can neither end the header line nor name another host ({@code //evil}, {@code /\evil},
 * {@code @evil} after an authority): the path always starts with exactly one "/".
 */
public record RedirectAction(String origin, String path, HttpResponseStatus status, boolean keepPath) {

    /** {@code to} was validated by the control plane and again in {@link RouteActions#from}. */
    static RedirectAction of(String to, int status, boolean keepPath) {
        int scheme = to.indexOf("://");
        String origin = "";
        String path = to;
        if (scheme > 0) {
            int slash = to.indexOf('/', scheme + 3);
            origin = slash < 0 ? to : to.substring(0, slash);
            path = slash < 0 ? "/" : to.substring(slash);
        }
        return new RedirectAction(origin, path, HttpResponseStatus.valueOf(status), keepPath);
    }

    /** The Location for a request to {@code uri} (origin-form, normalised) that matched one of {@code routePaths}. */
    public String location(String uri, List<String> routePaths) {
        if (!keepPath) {
            return origin + path;
        }
        int q = uri.indexOf('?');
        String requestPath = q < 0 ? uri : uri.substring(0, q);
        String rest = requestPath.substring(matchedPrefix(requestPath, routePaths).length());
        StringBuilder b = new StringBuilder(origin.length() + path.length() + uri.length() + 8).append(origin);
        String joined = path.endsWith("/") && rest.startsWith("/") ? path + rest.substring(1) : path + rest;
        int i = 0;
        while (i + 1 < joined.length() && joined.charAt(i + 1) == '/') {
            i++; // "//host" would be another host to a browser: one leading slash only
        }
        appendEncoded(b, joined.substring(i));
        if (q >= 0 && q + 1 < uri.length()) {
            appendEncoded(b.append('?'), uri.substring(q + 1));
        }
        return b.toString();
    }

    public FullHttpResponse response(String location, boolean close) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        return res;
    }

    /** The longest plain prefix among the route's paths that starts the request path; "" for regex or no paths. */
    static String matchedPrefix(String requestPath, List<String> routePaths) {
        String best = "";
        for (String p : routePaths) {
            if (!p.startsWith("~") && p.length() > best.length() && requestPath.startsWith(p)) {
                best = p;
            }
        }
        return best.endsWith("/") ? best.substring(0, best.length() - 1) : best;
    }

    private static void appendEncoded(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}' || c == '#') {
                for (byte x : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
                }
            } else {
                b.append(c);
            }
        }
    }
}
