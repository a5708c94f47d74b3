package io.edgeway.controlplane.api;

import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.routing.RouteTrace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Records a route lookup's steps as the proxy's router takes them ({@link RouteTrace}): one entry per host bucket
 * looked at, each with the regex paths and prefixes tried inside it, in order, and which one won.
 */
final class RouteTraceJson implements RouteTrace {
    private final List<Map<String, Object>> buckets = new ArrayList<>();
    private List<Map<String, Object>> tried;

    @Override
    public void bucket(Bucket kind, String key, boolean present) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("bucket", kind.name().toLowerCase(Locale.ROOT));
        b.put("host", key);
        b.put("has_routes", present);
        tried = new ArrayList<>();
        b.put("tried", tried);
        buckets.add(b);
    }

    @Override
    public void regex(RouteRule route, String regex, boolean pathMatches, boolean methodAllowed) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("kind", "regex");
        t.put("route", route.name());
        t.put("path", regex);
        t.put("path_matches", pathMatches);
        t.put("method_allowed", methodAllowed);
        t.put("won", pathMatches && methodAllowed);
        tried.add(t);
    }

    @Override
    public void prefix(RouteRule route, String prefix, boolean methodAllowed) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("kind", "prefix");
        t.put("route", route.name());
        t.put("path", prefix.isEmpty() && route.paths().isEmpty() ? "(any path)" : prefix);
        t.put("path_matches", true); // the router only offers prefixes the path starts with
        t.put("method_allowed", methodAllowed);
        t.put("won", methodAllowed);
        tried.add(t);
    }

    List<Map<String, Object>> buckets() {
        return buckets;
    }
}
