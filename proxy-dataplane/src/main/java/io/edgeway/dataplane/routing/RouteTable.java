package io.edgeway.dataplane.routing;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.status.RouteMeters;
import java.util.HashSet;
import java.util.Set;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compiled routes. Lookup order: the exact host's routes, then wildcard routes from the longest matching
 * suffix to the shortest, then routes without hosts; the first bucket holding a route whose path and
 * method match wins. Inside a bucket, as in Kong, regex paths ({@code ~/users/[0-9]+$}, see
 * {@link PathRegex}) come first: they are tried one after the other in snapshot order, anchored at the
 * start of the normalised path, and the first that matches wins. Then the longest path prefix wins (plain
 * string prefix, as in Kong: {@code /api} matches {@code /apis}), then snapshot order. Prefix matching
 * costs depend on the host's label count and the path's length, never on the number of prefix routes;
 * regex routes are necessarily tried in order, so their cost grows with the number of regex paths in the
 * buckets visited (each one linear in the path's length: re2j never backtracks).
 */
public final class RouteTable {
    public static final RouteTable EMPTY = compile(List.of());

    private final Map<String, PathTree> exact;
    /** Keyed by the suffix including its leading dot: {@code *.example.com} is {@code .example.com}. */
    private final Map<String, PathTree> wildcard;
    private final PathTree anyHost;
    private final int size;
    /** The routes' metric keys: after a swap, the meters of routes not in here leave the metrics page. */
    private final Set<RouteMeters.Key> meterKeys;

    private RouteTable(Map<String, PathTree> exact, Map<String, PathTree> wildcard, PathTree anyHost,
            List<RouteRule> routes) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.anyHost = anyHost;
        this.size = routes.size();
        Set<RouteMeters.Key> keys = new HashSet<>();
        for (RouteRule r : routes) {
            keys.add(new RouteMeters.Key(r.name(), r.upstream() == null ? "" : r.upstream().name()));
        }
        this.meterKeys = Set.copyOf(keys);
    }

    public static RouteTable compile(List<RouteRule> routes) {
        Map<String, PathTree.Builder> exact = new LinkedHashMap<>();
        Map<String, PathTree.Builder> wildcard = new LinkedHashMap<>();
        PathTree.Builder anyHost = new PathTree.Builder();
        for (RouteRule route : routes) {
            if (route.hosts().isEmpty()) {
                anyHost.add(route);
                continue;
            }
            for (String host : route.hosts()) {
                String h = host.toLowerCase(Locale.ROOT);
                if (h.startsWith("*.")) {
                    wildcard.computeIfAbsent(h.substring(1), k -> new PathTree.Builder()).add(route);
                } else {
                    exact.computeIfAbsent(h, k -> new PathTree.Builder()).add(route);
                }
            }
        }
        return new RouteTable(build(exact), build(wildcard), anyHost.build(), routes);
    }

    private static Map<String, PathTree> build(Map<String, PathTree.Builder> builders) {
        Map<String, PathTree> out = new HashMap<>(Math.max(4, builders.size() * 2));
        builders.forEach((k, v) -> out.put(k, v.build()));
        return out;
    }

    public int size() {
        return size;
    }

    public Set<RouteMeters.Key> meterKeys() {
        return meterKeys;
    }

    /**
     * @param host   a normalized host (see {@link #normalizeHost}); may be empty
     * @param uri    the request target; the query string is ignored
     * @param method the upper-case method name
     * @return the matching route or {@code null}
     */
    public RouteRule match(String host, String uri, String method) {
        return match(host, uri, method, null);
    }

    /**
     * As {@link #match}, telling {@code trace} every bucket and candidate the lookup visits, in order: the proxy's
     * own matching loop, so an explanation (the admin API's explain) is what the proxy would do.
     */
    public RouteRule explain(String host, String uri, String method, RouteTrace trace) {
        return match(host, uri, method, requireNonNull(trace, "trace"));
    }

    private RouteRule match(String host, String uri, String method, RouteTrace trace) {
        int start = pathStart(uri);
        int end = uri.indexOf('?', start);
        if (end < 0) {
            end = uri.length();
        }
        int hash = uri.indexOf('#', start);
        if (hash >= 0 && hash < end) {
            end = hash;
        }
        if (!exact.isEmpty()) {
            PathTree tree = exact.get(host);
            if (trace != null) {
                trace.bucket(RouteTrace.Bucket.EXACT, host, tree != null);
            }
            if (tree != null) {
                RouteRule r = tree.match(uri, start, end, method, trace);
                if (r != null) {
                    return r;
                }
            }
        } else if (trace != null) {
            trace.bucket(RouteTrace.Bucket.EXACT, host, false);
        }
        if (!wildcard.isEmpty()) {
            // Dots from the left give suffixes from the longest to the shortest; the label before the
            // suffix must not be empty.
            for (int dot = host.indexOf('.', 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
                PathTree tree = wildcard.get(host.substring(dot));
                if (trace != null) {
                    trace.bucket(RouteTrace.Bucket.WILDCARD, "*" + host.substring(dot), tree != null);
                }
                if (tree != null) {
                    RouteRule r = tree.match(uri, start, end, method, trace);
                    if (r != null) {
                        return r;
                    }
                }
            }
        }
        if (trace != null) {
            trace.bucket(RouteTrace.Bucket.ANY, "*", !anyHost.isEmpty());
        }
        return anyHost.match(uri, start, end, method, trace);
    }

    /** The path of an origin-form ({@code /a}) or absolute-form ({@code http://h/a}) request target. */
    static int pathStart(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') {
            return 0;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return 0;
        }
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? uri.length() : slash;
    }

    /** Lower-cases a Host header and strips its port; {@code null} becomes the empty string. */
    public static String normalizeHost(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader;
        int end = h.length();
        if (!h.isEmpty() && h.charAt(0) == '[') {
            int close = h.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && h.charAt(end - 1) == '.') {
            end--; // "example.com." is the same name as "example.com"
        }
        if (end != h.length()) {
            h = h.substring(0, end);
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** For diagnostics only. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        exact.keySet().forEach(h -> out.add("exact " + h));
        wildcard.keySet().forEach(h -> out.add("wildcard *" + h));
        return out;
    }
}
