package io.edgeway.dataplane.status;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hands each compiled route its {@link RouteMeter}, keyed by route and upstream name, and takes the meters of
 * routes that left the config off the page, so the label cardinality is that of the config, never of the
 * traffic or of the config's history. Called only from the config client's single thread.
 */
public final class RouteMeters {
    /** Routes compiled without metrics. */
    public static final RouteMeters NONE = new RouteMeters(null);

    private final Metrics metrics;
    private final Map<Key, RouteMeter> byRoute = new HashMap<>();

    /** A route's meter is labelled with its upstream: moving the route to another upstream is a new meter. */
    public record Key(String route, String upstream) {}

    RouteMeters(Metrics metrics) {
        this.metrics = metrics;
    }

    /** The meter of this route (the same one across config versions while its upstream stays the same). */
    public synchronized RouteMeter meter(String route, String upstream) {
        if (metrics == null) {
            return RouteMeter.NONE;
        }
        // A snapshot that is then rejected may add meters here; the next retain() takes them off again.
        return byRoute.computeIfAbsent(new Key(route, upstream), k -> new RouteMeter(metrics, route, upstream));
    }

    /** After a config is applied: routes not in it (by name and upstream) are removed from the page. */
    public synchronized void retain(Set<Key> routes) {
        // A route that now names another upstream keeps its route-only series (latency, bytes): the new meter
        // shares them, and removing them would leave it observing into series no longer on the page (issue 22:
        // the canary's p99 of a route moved to a slow upstream went missing from the load reports that way).
        Set<String> kept = new java.util.HashSet<>();
        routes.forEach(k -> kept.add(k.route()));
        byRoute.entrySet().removeIf(e -> {
            if (routes.contains(e.getKey())) {
                return false;
            }
            e.getValue().remove(!kept.contains(e.getKey().route()));
            return true;
        });
    }
}
