package io.edgeway.dataplane.l4;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.Set;

/**
 * The stream routes' metrics, labelled by route name only (names come from the config, so the label set is
 * bounded); a route that leaves the config leaves the page.
 */
final class StreamMeters {
    private final Counter connections;
    private final Gauge active;
    private final Counter bytes;
    private final Counter evicted;
    private final Set<String> routes = new HashSet<>(); // the config client's thread only

    StreamMeters(PrometheusRegistry registry) {
        connections = Counter.builder().name("edgeway_stream_connections_total")
                .help("Connections (tcp) or sessions (udp) accepted, per stream route.")
                .labelNames("route").withoutExemplars().register(registry);
        active = Gauge.builder().name("edgeway_stream_active")
                .help("Open connections (tcp) or sessions (udp), per stream route.")
                .labelNames("route").withoutExemplars().register(registry);
        bytes = Counter.builder().name("edgeway_stream_bytes_total")
                .help("Bytes relayed per stream route; direction in: from clients, out: to clients.")
                .labelNames("route", "direction").withoutExemplars().register(registry);
        evicted = Counter.builder().name("edgeway_stream_udp_sessions_evicted_total")
                .help("UDP sessions ended early because a new client found the session table full, per stream route.")
                .labelNames("route").withoutExemplars().register(registry);
    }

    StreamMeter meter(String route) {
        routes.add(route);
        return new StreamMeter(connections.labelValues(route), active.labelValues(route),
                bytes.labelValues(route, "in"), bytes.labelValues(route, "out"), evicted.labelValues(route));
    }

    /** Drops the children of routes not in {@code keep}. */
    void retain(Set<String> keep) {
        for (String r : Set.copyOf(routes)) {
            if (!keep.contains(r)) {
                connections.remove(r);
                active.remove(r);
                bytes.remove(r, "in");
                bytes.remove(r, "out");
                evicted.remove(r);
                routes.remove(r);
            }
        }
    }
}
