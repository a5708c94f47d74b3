package io.edgeway.dataplane.rewrite;

import io.edgeway.dataplane.compress.Algorithm;
import io.edgeway.dataplane.compress.BodyEncoder;
import io.edgeway.dataplane.compress.CompressionPolicy;
import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.HeaderValue;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteCompression;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route's actions (issue 17) compiled once per snapshot: a redirect answered by the proxy, or, while proxying,
 * a path rewrite, header edits both ways and response compression. A route without any has none ({@code null}
 * in {@link io.edgeway.dataplane.routing.RouteRule}), so plain routes pay one null check. Everything the control
 * plane validated is checked again here (a proxy trusts no snapshot blindly) and reported as ConfigErrors.
 */
public record RouteActions(RedirectAction redirect, PathRewrite rewrite, HeaderEdits requestHeaders,
                           HeaderEdits responseHeaders, CompressionPolicy compression) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]{1,128}");
    private static final Pattern PLAIN_PATH = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@-]+/?)*");
    // http(s)://host[:port] then an optional path, or a path alone; visible ASCII, no fragment, no backslash
    private static final Pattern LOCATION = Pattern.compile(
            "(https?://([A-Za-z0-9.-]+|\\[[0-9a-fA-F:.]+])(:[0-9]{1,5})?)?(/[\\x21-\\x7e&&[^#\\\\]]*)?");
    private static final Set<String> FORBIDDEN = Set.of("host", "content-length", "transfer-encoding", "connection",
            "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "http2-settings", "content-encoding");
    private static final boolean BROTLI = CompressionPolicy.brotliAvailable();

    /** Whether the target's response must arrive as a head object (not relayed as bytes): it is edited or compressed. */
    public boolean editsResponse() {
        return responseHeaders != null || compression != null;
    }

    /**
     * Before proxying: the path rewrite and the request header edits on the (already validated and rewritten)
     * request; answers the coding the client accepts for this route's compression, or null.
     */
    public Algorithm beforeProxy(HttpRequest req) {
        if (rewrite != null) {
            req.setUri(rewrite.apply(req.uri()));
        }
        if (requestHeaders != null) {
            requestHeaders.apply(req.headers());
        }
        return compression == null ? null : compression.negotiate(req.headers());
    }

    /**
     * On the target's final response head, before the proxy frames it for the client: the response header edits,
     * then compression; answers the body's encoder, or null when the body passes as it is.
     */
    public BodyEncoder onResponse(HttpResponse res, Algorithm accepted, HttpRequest req, ByteBufAllocator alloc) {
        if (responseHeaders != null) {
            responseHeaders.apply(res.headers());
        }
        return compression == null ? null : compression.start(res, accepted, HttpMethod.HEAD.equals(req.method()), alloc);
    }

    /** The compiled actions of {@code r}, or null when it has none; problems go to {@code errors}. */
    public static RouteActions from(Route r, List<ConfigError> errors) {
        if (!r.hasRedirect() && !r.hasRewrite() && !r.hasRequestHeaders() && !r.hasResponseHeaders() && !r.hasCompression()) {
            return null;
        }
        String name = r.getName();
        RedirectAction redirect = null;
        if (r.hasRedirect()) {
            String to = r.getRedirect().getTo();
            int status = r.getRedirect().getStatus();
            boolean absolute = to.startsWith("http://") || to.startsWith("https://");
            if (!LOCATION.matcher(to).matches() || to.isEmpty() || (!absolute && (!to.startsWith("/") || to.startsWith("//")))
                    || (r.getRedirect().getKeepPath() && to.indexOf('?') >= 0)) {
                errors.add(new ConfigError("route", name, "redirect.to", "'" + to + "' (expected: an http(s) URL or a path)"));
            } else if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                errors.add(new ConfigError("route", name, "redirect.status", status + " (expected: 301, 302, 303, 307 or 308)"));
            } else {
                redirect = RedirectAction.of(to, status, r.getRedirect().getKeepPath());
            }
        }
        PathRewrite rewrite = null;
        if (r.hasRewrite()) {
            String prefix = r.getRewrite().getPrefix();
            String replace = r.getRewrite().getReplace();
            if (!plainPath(prefix) || !plainPath(replace) || prefix.length() < 2) {
                errors.add(new ConfigError("route", name, "rewrite", "'" + prefix + "' -> '" + replace
                        + "' (expected: plain paths starting with /, no dot segments)"));
            } else {
                rewrite = new PathRewrite(prefix, replace);
            }
        }
        HeaderEdits request = r.hasRequestHeaders() ? edits(r.getRequestHeaders(), name, "request_headers", errors) : null;
        HeaderEdits response = r.hasResponseHeaders() ? edits(r.getResponseHeaders(), name, "response_headers", errors) : null;
        CompressionPolicy compression = r.hasCompression() ? compression(r.getCompression(), name, errors) : null;
        return new RouteActions(redirect, rewrite, request, response, compression);
    }

    private static boolean plainPath(String p) {
        if (p.length() > 1024 || !PLAIN_PATH.matcher(p).matches()) {
            return false;
        }
        for (String segment : p.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static HeaderEdits edits(io.edgeway.proto.v1.HeaderActions h, String route, String field, List<ConfigError> errors) {
        List<AsciiString> remove = new ArrayList<>();
        for (String n : h.getRemoveList()) {
            if (name(n, route, field + ".remove", errors)) {
                remove.add(AsciiString.cached(n.toLowerCase(Locale.ROOT)));
            }
        }
        return new HeaderEdits(remove, values(h.getSetList(), route, field + ".set", errors),
                values(h.getAddList(), route, field + ".add", errors));
    }

    private static List<AsciiString[]> values(List<HeaderValue> in, String route, String field, List<ConfigError> errors) {
        List<AsciiString[]> out = new ArrayList<>();
        for (HeaderValue hv : in) {
            String v = hv.getValue();
            boolean clean = v.length() <= 4096 && v.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff);
            if (!clean) {
                errors.add(new ConfigError("route", route, field + "." + hv.getName(), "(expected: a value without control characters)"));
            } else if (name(hv.getName(), route, field, errors)) {
                out.add(new AsciiString[] {AsciiString.cached(hv.getName().toLowerCase(Locale.ROOT)), AsciiString.cached(v)});
            }
        }
        return out;
    }

    private static boolean name(String n, String route, String field, List<ConfigError> errors) {
        String lower = n.toLowerCase(Locale.ROOT);
        if (!TOKEN.matcher(lower).matches() || FORBIDDEN.contains(lower)) {
            errors.add(new ConfigError("route", route, field, "'" + n + "' (expected: a header name the proxy does not own)"));
            return false;
        }
        return true;
    }

    private static CompressionPolicy compression(RouteCompression c, String route, List<ConfigError> errors) {
        List<Algorithm> algorithms = new ArrayList<>();
        for (String a : c.getAlgorithmsList()) {
            Algorithm alg = Algorithm.of(a);
            if (alg == null) {
                errors.add(new ConfigError("route", route, "compression.algorithms", "'" + a + "' (expected: br or gzip)"));
            } else if (alg != Algorithm.BR || BROTLI) { // no native brotli here: that route offers gzip only
                algorithms.add(alg);
            }
        }
        if (c.getLevel() < 1 || c.getLevel() > 9) {
            errors.add(new ConfigError("route", route, "compression.level", c.getLevel() + " (expected: 1-9)"));
        }
        if (c.getMinSize() < 0) {
            errors.add(new ConfigError("route", route, "compression.min_size", c.getMinSize() + " (expected: >= 0)"));
        }
        List<String> types = c.getTypesList().stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
        return new CompressionPolicy(types, c.getMinSize(), Math.max(1, Math.min(9, c.getLevel())), algorithms);
    }
}
