package io.edgeway.dataplane.balancing;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What a consistent-hash balancer hashes: a request header, a cookie or the client's IP. Hashing walks the
 * characters in place (no substring for the cookie), so it allocates nothing per request.
 */
public record HashKey(Kind kind, String name) {
    /** The hash of a request that carries no key; balancers spread such requests instead. */
    public static final long NONE = 0;

    public enum Kind { HEADER, COOKIE, CLIENT_IP }

    public HashKey {
        requireNonNull(kind, "kind");
        name = name == null ? "" : name;
        if (kind != Kind.CLIENT_IP && name.isEmpty()) {
            throw new IllegalArgumentException("name: empty (expected: a " + kind.name().toLowerCase() + " name)");
        }
    }

    public static HashKey header(String name) {
        return new HashKey(Kind.HEADER, name);
    }

    public static HashKey cookie(String name) {
        return new HashKey(Kind.COOKIE, name);
    }

    public static HashKey clientIp() {
        return new HashKey(Kind.CLIENT_IP, "");
    }

    public long hash(HttpHeaders headers, String clientIp) {
        return switch (kind) {
            case HEADER -> hash(headers.get(name));
            case CLIENT_IP -> hash(clientIp);
            case COOKIE -> cookieHash(headers.get(HttpHeaderNames.COOKIE));
        };
    }

    private long cookieHash(String header) {
        if (header == null) {
            return NONE;
        }
        // Cookie: a=1; session=xyz; b=2 — find "name=" at the start of a pair and hash up to ';'.
        int n = name.length();
        int i = 0;
        while (i < header.length()) {
            while (i < header.length() && (header.charAt(i) == ' ' || header.charAt(i) == ';')) {
                i++;
            }
            int end = header.indexOf(';', i);
            if (end < 0) {
                end = header.length();
            }
            if (end - i > n && header.charAt(i + n) == '=' && header.regionMatches(i, name, 0, n)) {
                return hash(header, i + n + 1, end);
            }
            i = end + 1;
        }
        return NONE;
    }

    static long hash(String s) {
        return s == null || s.isEmpty() ? NONE : hash(s, 0, s.length());
    }

    /** FNV-1a over the chars, then murmur3's finalizer so that similar keys land far apart on the ring. */
    static long hash(CharSequence s, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == NONE ? 1 : h;
    }
}
