package io.edgeway.dataplane.compress;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Locale;

/**
 * A route's on-the-fly compression, compiled once per snapshot. Per response: {@link #negotiate} reads the
 * client's Accept-Encoding when the request arrives; {@link #start} decides on the target's final head and,
 * when it compresses, rewrites that head and returns the body's encoder. Never compressed: HEAD answers, 204,
 * 206, 304, a response that already has a Content-Encoding or says Cache-Control: no-transform, one of another
 * type, or one whose Content-Length is below {@code minSize}. Every response that could have been compressed
 * for some client says {@code Vary: Accept-Encoding}, so a cache keeps the variants apart.
 */
public final class CompressionPolicy {
    private final List<String> exactTypes;
    /** "text/" for "text/*". */
    private final List<String> typePrefixes;
    private final long minSize;
    private final int level;
    private final List<Algorithm> algorithms;

    public CompressionPolicy(List<String> types, long minSize, int level, List<Algorithm> algorithms) {
        this.exactTypes = types.stream().filter(t -> !t.endsWith("/*")).toList();
        this.typePrefixes = types.stream().filter(t -> t.endsWith("/*")).map(t -> t.substring(0, t.length() - 1)).toList();
        this.minSize = minSize;
        this.level = level;
        this.algorithms = List.copyOf(algorithms);
    }

    /** Whether br can be offered on this machine (the native encoder loaded). */
    public static boolean brotliAvailable() {
        return BrotliEncoder.available();
    }

    /** The coding this request's client prefers among the route's, or null for identity. */
    public Algorithm negotiate(HttpHeaders requestHeaders) {
        return AcceptEncoding.choose(requestHeaders.get(HttpHeaderNames.ACCEPT_ENCODING), algorithms);
    }

    /**
     * Decides for a final response head ({@code chosen}: from {@link #negotiate}); returns the encoder for its
     * body, having removed Content-Length and Accept-Ranges, set Content-Encoding and weakened a strong ETag,
     * or null when the body passes as it is.
     */
    public BodyEncoder start(HttpResponse res, Algorithm chosen, boolean headRequest, ByteBufAllocator alloc) {
        int code = res.status().code();
        HttpHeaders h = res.headers();
        if (headRequest || code < 200 || code == 204 || code == 206 || code == 304 || !typeMatches(h)
                || noTransform(h) || alreadyEncoded(h)) {
            return null;
        }
        String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && below(length)) {
            return null;
        }
        mergeVary(h);
        if (chosen == null) {
            return null;
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES);
        h.set(HttpHeaderNames.CONTENT_ENCODING, chosen.token);
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) { // the bytes differ from the target's: no longer a strong match
            h.set(HttpHeaderNames.ETAG, "W/" + etag);
        }
        return chosen.encoder(alloc, level);
    }

    private boolean below(String length) {
        try {
            return Long.parseLong(length.trim()) < minSize;
        } catch (NumberFormatException e) {
            return true; // the codec refuses such a response anyway; never compress what is not understood
        }
    }

    private boolean typeMatches(HttpHeaders h) {
        String ct = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null) {
            return false;
        }
        int semi = ct.indexOf(';');
        String type = (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (exactTypes.contains(type)) {
            return true;
        }
        for (int i = 0; i < typePrefixes.size(); i++) {
            if (type.startsWith(typePrefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean noTransform(HttpHeaders h) {
        for (String v : h.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            if (v.toLowerCase(Locale.ROOT).contains("no-transform")) {
                return true;
            }
        }
        return false;
    }

    private static boolean alreadyEncoded(HttpHeaders h) {
        List<String> all = h.getAll(HttpHeaderNames.CONTENT_ENCODING);
        return all.size() > 1 || all.size() == 1 && !HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(all.get(0).trim());
    }

    /** Adds Accept-Encoding to Vary unless it is there already or Vary is "*". */
    static void mergeVary(HttpHeaders h) {
        List<String> vary = h.getAll(HttpHeaderNames.VARY);
        for (String v : vary) {
            for (String token : v.split(",")) {
                String t = token.trim();
                if (t.equals("*") || t.equalsIgnoreCase("accept-encoding")) {
                    return;
                }
            }
        }
        if (vary.isEmpty()) {
            h.set(HttpHeaderNames.VARY, "Accept-Encoding");
        } else {
            h.set(HttpHeaderNames.VARY, String.join(", ", vary) + ", Accept-Encoding");
        }
    }
}
