package io.edgeway.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Whether a shared cache may store a response (RFC 9111 section 3) and, when it may, for how long (4.2). */
final class Storability {
    static final AsciiString CACHE_TAG = AsciiString.cached("cache-tag");
    static final AsciiString SURROGATE_KEY = AsciiString.cached("surrogate-key");
    /** Heuristically cacheable (RFC 9110 15.1); 206 is left out: this cache does not combine ranges. */
    private static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
    private static final long HEURISTIC_CAP_MS = 24 * 3600_000L;

    private Storability() {}

    /**
     * Why {@code res} to {@code req} must not be stored, as a Cache-Status detail token, or null when it may be.
     * Called with the target's head as it arrived (before the proxy re-frames it), so "delimited" is the target's.
     */
    static String refusal(RouteCache policy, HttpRequest req, HttpResponse res, long nowMs) {
        if (!HttpMethod.GET.equals(req.method())) {
            return "method";
        }
        int code = res.status().code();
        if (code < 200 || code == 206 || code == 304) {
            return "status";
        }
        CacheControl reqCc = CacheControl.of(req.headers());
        if (reqCc.has("no-store")) {
            return "request-no-store";
        }
        HttpHeaders h = res.headers();
        CacheControl cc = CacheControl.of(h);
        if (cc.has("no-store")) {
            return "no-store";
        }
        if (cc.has("private")) {
            return "private";
        }
        if (req.headers().contains(HttpHeaderNames.AUTHORIZATION)
                && !(cc.has("public") || cc.has("s-maxage") || cc.has("must-revalidate"))) {
            return "authorization"; // RFC 9111 3.5
        }
        if (h.contains(HttpHeaderNames.SET_COOKIE)) {
            // RFC 9111 allows it, but replaying one client's cookie to every other client of a shared cache
            // hands them that client's session: a target that sets cookies must say so per response, and
            // nginx and Varnish refuse these by default too.
            return "set-cookie";
        }
        List<String> vary = varyNames(h);
        if (vary.contains("*")) {
            return "vary-star";
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(res);
        long length = HttpUtil.getContentLength(res, -1L);
        if (!chunked && length < 0 && code != 204) {
            return "unknown-length"; // delimited by the close: a truncated body could not be told from a whole one
        }
        if (length > policy.maxObjectBytes()) {
            return "too-large";
        }
        if (freshnessMs(code, h, nowMs, policy) <= 0 && !h.contains(HttpHeaderNames.ETAG)
                && !h.contains(HttpHeaderNames.LAST_MODIFIED)) {
            return "no-freshness";
        }
        return null;
    }

    /** The entry for a response that may be stored, or null if its freshness cannot be computed. */
    static CachedResponse entry(String key, int status, HttpHeaders h, io.netty.buffer.ByteBuf body, long nowMs, RouteCache policy,
            List<String> vary, Set<String> tags) {
        CacheControl cc = CacheControl.of(h);
        long date = CachedResponse.httpDate(h, HttpHeaderNames.DATE);
        long age = Math.max(0, parseLong(h.get(HttpHeaderNames.AGE)));
        long apparentAge = date >= 0 ? Math.max(0, (nowMs - date) / 1000) : 0;
        long lastModified = CachedResponse.httpDate(h, HttpHeaderNames.LAST_MODIFIED);
        var directives = new CachedResponse.Directives(cc.has("no-cache"),
                cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage"),
                cc.has("public") || cc.has("s-maxage") || cc.has("must-revalidate"),
                Math.max(0, cc.seconds("stale-while-revalidate")), Math.max(0, cc.seconds("stale-if-error")));
        return new CachedResponse(key, status, h, body, nowMs, Math.max(age, apparentAge),
                freshnessMs(status, h, nowMs, policy), directives, h.get(HttpHeaderNames.ETAG),
                lastModified >= 0 ? lastModified : -1, vary, tags);
    }

    /** RFC 9111 4.2.1: s-maxage, then max-age, then Expires - Date, then the heuristic, then the route's default. */
    static long freshnessMs(int status, HttpHeaders h, long nowMs, RouteCache policy) {
        CacheControl cc = CacheControl.of(h);
        long s = cc.seconds("s-maxage");
        if (s == -1) {
            s = cc.seconds("max-age");
        }
        if (s == CacheControl.INVALID) {
            return 0;
        }
        if (s >= 0) {
            return s * 1000;
        }
        long date = CachedResponse.httpDate(h, HttpHeaderNames.DATE);
        long base = date >= 0 ? date : nowMs;
        long expires = CachedResponse.httpDate(h, HttpHeaderNames.EXPIRES);
        if (expires == -2) {
            return 0; // an invalid Expires means already expired (RFC 9111 5.3)
        }
        if (expires >= 0) {
            return Math.max(0, expires - base);
        }
        if (!HEURISTIC.contains(status) && !cc.has("public")) {
            return 0;
        }
        long lastModified = CachedResponse.httpDate(h, HttpHeaderNames.LAST_MODIFIED);
        if (lastModified >= 0 && lastModified < base) {
            return Math.min(HEURISTIC_CAP_MS, (base - lastModified) / 10); // the customary 10% (RFC 9111 4.2.2)
        }
        return policy.defaultTtlMs();
    }

    /** The Vary field's names, lower case, sorted, without duplicates. */
    static List<String> varyNames(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.VARY)) {
            return List.of();
        }
        Set<String> names = new java.util.TreeSet<>();
        for (String field : h.getAll(HttpHeaderNames.VARY)) {
            for (String n : field.split(",")) {
                String t = n.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return List.copyOf(names);
    }

    /** Tags from Cache-Tag and Surrogate-Key, separated by commas or spaces. */
    static Set<String> tags(HttpHeaders h) {
        Set<String> tags = new LinkedHashSet<>();
        for (AsciiString name : List.of(CACHE_TAG, SURROGATE_KEY)) {
            for (String field : h.getAll(name)) {
                for (String t : field.split("[,\\s]+")) {
                    if (!t.isEmpty()) {
                        tags.add(t);
                    }
                }
            }
        }
        return Set.copyOf(tags);
    }

    static List<String> copyOf(List<String> l) {
        return new ArrayList<>(l);
    }

    private static long parseLong(String v) {
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
