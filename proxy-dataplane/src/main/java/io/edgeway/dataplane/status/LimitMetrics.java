package io.edgeway.dataplane.status;

import io.edgeway.dataplane.limits.ConnectionLimits;
import io.edgeway.dataplane.limits.RateLimits;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The limits' own state on the metrics page (issue 18), read at scrape time from where it is kept: the rate
 * limit table's size, evictions and fleet share, and the connections each listener refused. The per-route
 * 429 and 413 counts are route metrics ({@link RouteMeter#rateLimited}, {@link RouteMeter#bodyTooLarge}).
 * Every label value comes from the proxy's own names (listeners, limits), never from a request.
 */
final class LimitMetrics {
    private LimitMetrics() {}

    static void register(PrometheusRegistry registry, RateLimits rates, ConnectionLimits connections) {
        GaugeWithCallback.builder().name("edgeway_rate_limit_keys")
                .help("Slots of the rate limit table holding a bucket (at most EDGEWAY_RATE_LIMIT_KEYS, rounded up).")
                .callback(cb -> cb.call(rates.keys())).register(registry);
        GaugeWithCallback.builder().name("edgeway_rate_limit_capacity")
                .help("Buckets the rate limit table can hold: its memory bound.")
                .callback(cb -> cb.call(rates.capacity())).register(registry);
        CounterWithCallback.builder().name("edgeway_rate_limit_evictions_total")
                .help("Busy rate limit buckets dropped for a new key because the table was at its bound "
                        + "(the evicted key starts again with a full bucket).")
                .callback(cb -> cb.call(rates.evictions())).register(registry);
        GaugeWithCallback.builder().name("edgeway_rate_limit_fleet_share")
                .help("Proxies that split each fleet-scoped rate limit, as the control plane last said (1 before).")
                .callback(cb -> cb.call(rates.fleetShare())).register(registry);
        CounterWithCallback.builder().name("edgeway_connections_refused_total")
                .help("Client connections closed at once by EDGEWAY_MAX_CONNECTIONS (limit=listener) or "
                        + "EDGEWAY_MAX_CONNECTIONS_PER_IP (limit=client_ip), per listener.")
                .labelNames("listener", "limit")
                .callback(cb -> {
                    for (ConnectionLimits.Refusals r : connections.refusals()) {
                        cb.call(r.overListener().sum(), r.listener(), "listener");
                        cb.call(r.overClientIp().sum(), r.listener(), "client_ip");
                    }
                }).register(registry);
    }
}
