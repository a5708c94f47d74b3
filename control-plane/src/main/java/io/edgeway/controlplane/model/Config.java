package io.edgeway.controlplane.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole declarative config: every upstream and route by name. Checks what no single entity can: names
 * are unique per kind and every route names an upstream of this same document. Errors carry document
 * paths such as {@code routes[2].upstream}.
 */
public record Config(List<Upstream> upstreams, List<Route> routes) {
    public static final Config EMPTY = new Config(List.of(), List.of());

    public Config {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        routes = routes == null ? List.of() : List.copyOf(routes);
        var v = new ValidationException.Collector();
        Map<String, Integer> upstreamAt = new HashMap<>();
        for (int i = 0; i < upstreams.size(); i++) {
            Integer first = upstreamAt.putIfAbsent(upstreams.get(i).name(), i);
            v.check(first == null, "upstreams[" + i + "].name", "name: " + upstreams.get(i).name()
                    + " (expected: unique; upstreams[" + first + "] has it too)");
        }
        Map<String, Integer> routeAt = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Integer first = routeAt.putIfAbsent(r.name(), i);
            v.check(first == null, "routes[" + i + "].name", "name: " + r.name()
                    + " (expected: unique; routes[" + first + "] has it too)");
            v.check(upstreamAt.containsKey(r.upstream()), "routes[" + i + "].upstream",
                    "upstream: " + r.upstream() + " (expected: the name of an upstream in this document)");
        }
        v.throwIfAny();
    }
}
