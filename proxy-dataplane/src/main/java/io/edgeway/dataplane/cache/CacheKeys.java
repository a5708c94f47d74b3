package io.edgeway.dataplane.cache;

import io.edgeway.dataplane.routing.RouteTable;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * How a request becomes a cache key, and how a purge reads a key back. Kept apart from the store because the
 * key's layout is a contract between three places (lookup, disk tier index, purges): U+0001 separates the
 * route's key headers from the URL, U+0000 the Vary values (the secondary key); neither can occur in a
 * request line or header value Netty accepts, so no two requests share a key by accident.
 */
final class CacheKeys {
    private CacheKeys() {
    }

    /** scheme "://" Host path-and-query, then the route's key headers' values after a U+0001. */
    static String primaryKey(RouteCache policy, CharSequence scheme, String host, HttpRequest req) {
        StringBuilder k = new StringBuilder(64).append(scheme).append("://").append(host == null ? "" : host)
                .append(req.uri());
        if (!policy.keyHeaders().isEmpty()) {
            k.append('\u0001');
            for (String name : policy.keyHeaders()) {
                k.append(String.join(",", req.headers().getAll(name))).append('\u0001');
            }
        }
        return k.toString();
    }

    static String variantKey(String primary, List<String> varyNames, HttpHeaders req) {
        if (varyNames.isEmpty()) {
            return primary;
        }
        StringBuilder k = new StringBuilder(primary).append('\u0000');
        for (String name : varyNames) {
            // Values are joined as sent: RFC 9111 4.1 allows normalising them, but byte equality cannot confuse two.
            k.append(String.join(",", req.getAll(name))).append('\u0000');
        }
        return k.toString();
    }

    /** "host/path?q" of a key, the host normalised as routing does (lower case, no port), the path as sent. */
    static String hostAndPath(String key) {
        int start = key.indexOf("://") + 3;
        int end = key.length();
        for (int i = start; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\u0000' || c == '\u0001') {
                end = i;
                break;
            }
        }
        String rest = key.substring(start, end);
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        return RouteTable.normalizeHost(host) + (slash < 0 ? "" : rest.substring(slash));
    }
}
