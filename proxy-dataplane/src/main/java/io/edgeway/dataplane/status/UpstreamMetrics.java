package io.edgeway.dataplane.status;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.config.ConfigHolder;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Per-upstream and per-target series, read from the running config at scrape time: their counts live in
 * {@link TargetGroup} and {@link io.edgeway.dataplane.balancing.TargetState} (which outlive config versions),
 * and only the upstreams and targets of the running config are on the page.
 */
final class UpstreamMetrics {
    private UpstreamMetrics() {}

    static void register(PrometheusRegistry registry, ConfigHolder configs) {
        GaugeWithCallback.builder().name("edgeway_upstream_target_healthy")
                .help("1 if the target is in rotation, 0 if not.").labelNames("upstream", "target")
                .callback(cb -> eachTarget(configs, (u, t) ->
                        cb.call(UpstreamReport.reason(t.state()).isEmpty() ? 1 : 0, u.name(), t.toString())))
                .register(registry);
        CounterWithCallback.builder().name("edgeway_upstream_fail_open_total")
                .help("Requests balanced over all targets because none was healthy.").labelNames("upstream")
                .callback(cb -> configs.get().upstreams().values().forEach(u -> cb.call(u.failOpenTotal(), u.name())))
                .register(registry);
        CounterWithCallback.builder().name("edgeway_upstream_retries_total")
                .help("Requests failed over to another target of the upstream.").labelNames("upstream")
                .callback(cb -> configs.get().upstreams().values().forEach(u -> cb.call(u.retriesTotal(), u.name())))
                .register(registry);
        CounterWithCallback.builder().name("edgeway_upstream_target_ejections_total")
                .help("Passive-health ejections of the target.").labelNames("upstream", "target")
                .callback(cb -> eachTarget(configs, (u, t) -> cb.call(t.state().ejections(), u.name(), t.toString())))
                .register(registry);
        CounterWithCallback.builder().name("edgeway_upstream_target_health_transitions_total")
                .help("The target went into (to=healthy) or out of (to=unhealthy) rotation.")
                .labelNames("upstream", "target", "to")
                .callback(cb -> eachTarget(configs, (u, t) -> {
                    cb.call(t.state().transitions(true), u.name(), t.toString(), "healthy");
                    cb.call(t.state().transitions(false), u.name(), t.toString(), "unhealthy");
                }))
                .register(registry);
    }

    private static void eachTarget(ConfigHolder configs, java.util.function.BiConsumer<TargetGroup, Endpoint> each) {
        for (TargetGroup u : configs.get().upstreams().values()) {
            java.util.Set<String> seen = new java.util.HashSet<>(); // one series per host:port, even if listed twice
            for (Endpoint t : u.targets()) {
                if (seen.add(t.toString())) {
                    each.accept(u, t);
                }
            }
        }
    }
}
