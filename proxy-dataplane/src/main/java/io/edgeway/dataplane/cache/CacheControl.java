package io.edgeway.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of every Cache-Control field of a head (RFC 9111 5.2), names lower-cased, values unquoted.
 * A directive given twice keeps its first value; a malformed delta-seconds reads as absent (-1), except that
 * the RFC asks a cache to treat an invalid max-age of a response as stale, which {@link #seconds} leaves to
 * the caller by returning {@link #INVALID}.
 */
record CacheControl(Map<String, String> directives) {
    static final long INVALID = -2;
    static final CacheControl NONE = new CacheControl(Map.of());

    static CacheControl of(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CACHE_CONTROL)) {
            return NONE;
        }
        Map<String, String> d = new HashMap<>();
        for (String field : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            parse(field, d);
        }
        return new CacheControl(Map.copyOf(d));
    }

    private static void parse(String field, Map<String, String> out) {
        int i = 0;
        int n = field.length();
        while (i < n) {
            while (i < n && (field.charAt(i) == ',' || field.charAt(i) == ' ' || field.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && field.charAt(i) != '=' && field.charAt(i) != ',') {
                i++;
            }
            String name = field.substring(start, i).trim().toLowerCase(Locale.ROOT);
            String value = "";
            if (i < n && field.charAt(i) == '=') {
                i++;
                if (i < n && field.charAt(i) == '"') {
                    int close = field.indexOf('"', i + 1);
                    close = close < 0 ? n : close;
                    value = field.substring(i + 1, close);
                    i = Math.min(n, close + 1);
                    while (i < n && field.charAt(i) != ',') {
                        i++;
                    }
                } else {
                    int vs = i;
                    while (i < n && field.charAt(i) != ',') {
                        i++;
                    }
                    value = field.substring(vs, i).trim();
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, value);
            }
        }
    }

    boolean has(String name) {
        return directives.containsKey(name);
    }

    /** The delta-seconds of {@code name}: -1 when absent, {@link #INVALID} when present but not a number. */
    long seconds(String name) {
        String v = directives.get(name);
        if (v == null) {
            return -1;
        }
        if (v.isEmpty() || v.length() > 18) {
            return v.isEmpty() ? INVALID : Long.MAX_VALUE / 2000; // RFC 9111 1.2.2: too large means "a very long time"
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return INVALID;
            }
        }
        return Long.parseLong(v);
    }
}
