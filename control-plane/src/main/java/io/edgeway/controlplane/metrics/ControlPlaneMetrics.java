package io.edgeway.controlplane.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The control plane's own metrics, served at {@code /metrics} on the admin port: API requests by endpoint
 * template (never the raw path: bounded by the routes the app declares) and status, the revision served,
 * the fleet's nodes by state, the push latency from a revision's commit to each node's Ack, Nacks, and the
 * database pool and reachability. Its own registry, so tests running several control planes in one JVM
 * do not mix counts.
 */
public final class ControlPlaneMetrics {
    private static final double[] API_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] PUSH_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    /** Commit times kept for versions not yet acked by everyone: a few thousand revisions is hours of writes. */
    private static final int COMMITS_KEPT = 4096;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Counter apiRequests;
    private final Histogram apiDuration;
    private final Histogram pushLatency;
    private final Counter nacks;
    private final ConcurrentSkipListMap<Long, Long> committedAt = new ConcurrentSkipListMap<>();

    public ControlPlaneMetrics() {
        apiRequests = Counter.builder().name("edgeway_cp_api_requests_total")
                .help("Admin API requests by method, endpoint template and status code.")
                .labelNames("method", "endpoint", "status").withoutExemplars().register(registry);
        apiDuration = Histogram.builder().name("edgeway_cp_api_request_duration_seconds")
                .help("Admin API request latency by method and endpoint template.").unit(Unit.SECONDS)
                .labelNames("method", "endpoint").classicOnly().classicUpperBounds(API_SECONDS)
                .withoutExemplars().register(registry);
        pushLatency = Histogram.builder().name("edgeway_cp_push_latency_seconds")
                .help("From a revision's commit (as this replica first heard of it) to a node's Ack of it.")
                .unit(Unit.SECONDS).classicOnly().classicUpperBounds(PUSH_SECONDS).withoutExemplars()
                .register(registry);
        nacks = Counter.builder().name("edgeway_cp_nacks_total")
                .help("Snapshots a node refused (Nack).").withoutExemplars().register(registry);
    }

    /** One admin API request; {@code endpoint} is its route template, or "unmatched". */
    public void apiRequest(String method, String endpoint, int status, long nanos) {
        apiRequests.labelValues(method, endpoint, Integer.toString(status)).inc();
        apiDuration.labelValues(method, endpoint).observe(nanos / 1e9);
    }

    /** This replica heard of {@code revision} (right after its own commit, or by NOTIFY/poll for another's). */
    public void committed(long revision) {
        if (committedAt.putIfAbsent(revision, System.nanoTime()) == null && committedAt.size() > COMMITS_KEPT) {
            committedAt.pollFirstEntry();
        }
    }

    /** The newest revision this replica has heard of: set right after its own commits, before the API answers. */
    public long lastCommitted() {
        Map.Entry<Long, Long> e = committedAt.lastEntry();
        return e == null ? 0 : e.getKey();
    }

    /** A node acked {@code version}: one push latency observation, when its commit time is known. */
    public void acked(long version) {
        Long at = committedAt.get(version);
        if (at != null) {
            pushLatency.observe((System.nanoTime() - at) / 1e9);
        }
    }

    public void nacked() {
        nacks.inc();
    }

    /** A gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A labelled gauge whose series {@code values} fills at scrape time (label value → value). */
    public void gauge(String name, String help, String label, Consumer<Map<String, Double>> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label).callback(cb -> {
            Map<String, Double> m = new java.util.TreeMap<>();
            values.accept(m);
            m.forEach((k, v) -> cb.call(v, k));
        }).register(registry);
    }

    /** The page and its content type, by the scraper's Accept header (OpenMetrics or Prometheus text). */
    public record Page(byte[] body, String contentType) {}

    public Page render(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable() || writer.getContentType().contains("protobuf")) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Page(out.toByteArray(), writer.getContentType());
    }
}
