package io.edgeway.dataplane.status;

import io.edgeway.dataplane.config.ConfigHolder;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The proxy's metrics, in its own Prometheus registry (one per proxy, so tests running several in one JVM
 * do not mix counts). The Prometheus Java client is used directly, not through Micrometer: Micrometer's
 * Prometheus registry is a layer over this same client, and what the hot path needs is the client's
 * per-label-set children, resolved once per compiled route ({@link RouteMeter}). The latency histograms are
 * this package's own ({@link LoopHistogramFamily}): classic buckets, no exemplars, one row of plain counters per
 * event loop, added up at scrape time.
 * Per-connection and per-target counts stay where they are kept (LongAdders, {@link io.edgeway.dataplane.balancing.TargetState})
 * and are read at scrape time by callbacks.
 */
public final class Metrics {
    /** Request and upstream latency buckets in seconds: 1 ms to a minute. */
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30, 60};

    final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    public final LongAdder clientConnections = new LongAdder();
    public final LongAdder upstreamConnectionsOpened = new LongAdder();
    public final LongAdder upstreamConnectionsActive = new LongAdder();
    public final LongAdder upstreamConnectionsIdle = new LongAdder();
    public final LongAdder upstreamConnectFailures = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    public final LongAdder accessLogDropped = new LongAdder();
    public final LongAdder otlpSpansDropped = new LongAdder();
    public final LongAdder otlpSpansFailed = new LongAdder();
    final Counter requests;
    final LoopHistogramFamily duration;
    final LoopHistogramFamily connect;
    final LoopHistogramFamily firstByte;
    final Counter bytesIn;
    final Counter bytesOut;
    final Counter rateLimited;
    final Counter bodyTooLarge;
    private final RouteMeters routeMeters = new RouteMeters(this);
    private volatile RouteMeter unrouted;
    private final TlsMeter tls;
    // Bound after construction: the config client and drain state are built after the metrics they feed.
    private volatile BooleanSupplier draining = () -> false;
    private volatile BooleanSupplier controlPlaneConnected = () -> false;

    public Metrics(LongSupplier configVersion) {
        requests = Counter.builder().name("edgeway_requests_total")
                .help("Requests answered, by route (empty when none matched), upstream, method and status class; "
                        + "status class other is a client that left before any answer.")
                .labelNames("route", "upstream", "method", "status_class").withoutExemplars().register(registry);
        duration = histogram("edgeway_request_duration_seconds",
                "From the request head to the end of the answer, per route.");
        connect = histogram("edgeway_upstream_connect_duration_seconds",
                "Opening a new connection (TCP and TLS) to a target, per route; pooled connections are not counted.");
        firstByte = histogram("edgeway_upstream_first_byte_duration_seconds",
                "From the request reaching the target's connection to its final response head, per route.");
        bytesIn = Counter.builder().name("edgeway_request_body_bytes_total")
                .help("Request body bytes received from clients, per route.")
                .labelNames("route").withoutExemplars().register(registry);
        bytesOut = Counter.builder().name("edgeway_response_body_bytes_total")
                .help("Response bytes relayed to clients after the head, per route (chunk framing included).")
                .labelNames("route").withoutExemplars().register(registry);
        rateLimited = Counter.builder().name("edgeway_rate_limited_total")
                .help("Requests and gRPC calls refused by the route's rate limit (HTTP 429; gRPC RESOURCE_EXHAUSTED).")
                .labelNames("route").withoutExemplars().register(registry);
        bodyTooLarge = Counter.builder().name("edgeway_request_body_too_large_total")
                .help("Requests and gRPC calls refused by the route's max_body_bytes (HTTP 413; gRPC RESOURCE_EXHAUSTED).")
                .labelNames("route").withoutExemplars().register(registry);
        unrouted = new RouteMeter(this, "", "");
        tls = new TlsMeter(registry);
        gauge("edgeway_config_version", "The applied config version, 0 before the first.", configVersion::getAsLong);
        gauge("edgeway_control_plane_connected", "1 while the config stream's connection is up.",
                () -> controlPlaneConnected.getAsBoolean() ? 1 : 0);
        gauge("edgeway_draining", "1 from SIGTERM until exit: /readyz is 503 on purpose.",
                () -> draining.getAsBoolean() ? 1 : 0);
        gauge("edgeway_client_connections", "Open client connections.", clientConnections::sum);
        counter("edgeway_upstream_connections_opened_total", "Upstream connections opened.",
                upstreamConnectionsOpened::sum);
        counter("edgeway_upstream_connect_failures_total", "Upstream connection attempts that failed.",
                upstreamConnectFailures::sum);
        gauge("edgeway_upstream_connections", "Open upstream connections.", upstreamConnectionsActive::sum);
        gauge("edgeway_upstream_connections_idle", "Upstream connections idle in the pools.",
                upstreamConnectionsIdle::sum);
        counter("edgeway_bad_requests_total",
                "Requests refused as malformed before reaching an upstream (HTTP/1.1: 4xx; HTTP/2: stream reset).",
                badRequests::sum);
        counter("edgeway_access_log_dropped_total",
                "Access log lines dropped because the writer fell behind (never queued without bound).",
                accessLogDropped::sum);
        counter("edgeway_otlp_spans_dropped_total",
                "Request spans dropped because the OTLP exporter fell behind (a slow or absent collector).",
                otlpSpansDropped::sum);
        counter("edgeway_otlp_spans_failed_total",
                "Request spans the OTLP collector did not accept (export failed or timed out).",
                otlpSpansFailed::sum);
    }

    /** Operational state for dashboards and alerts: a fleet serving on stale config, a node leaving. */
    public void bind(BooleanSupplier draining, BooleanSupplier controlPlaneConnected) {
        this.draining = draining;
        this.controlPlaneConnected = controlPlaneConnected;
    }

    /** As {@link #watch(ConfigHolder, boolean)} with the per-route request metrics on. */
    public void watch(ConfigHolder configs) {
        watch(configs, true);
    }

    /**
     * Config age and apply time, and per-upstream and per-target state, read from the running config; and,
     * when {@code routeMetrics}, each compiled route's request counters and histograms (off: every route
     * gets {@link RouteMeter#NONE}, for measuring what they cost).
     */
    public void watch(ConfigHolder configs, boolean routeMetrics) {
        if (routeMetrics) {
            configs.meters(routeMeters);
        } else {
            unrouted = RouteMeter.NONE;
        }
        gauge("edgeway_config_age_seconds", "Seconds since the running config was applied (0 before the first).",
                () -> configs.appliedAtMillis() == 0 ? 0 : (System.currentTimeMillis() - configs.appliedAtMillis()) / 1e3);
        gauge("edgeway_config_apply_duration_seconds", "How long parsing and applying the last config took.",
                () -> configs.lastApplyNanos() / 1e9);
        counter("edgeway_config_rejected_total", "Snapshots refused (Nack) since start.", configs::rejected);
        UpstreamMetrics.register(registry, configs);
    }

    /** The rate limit table and the connection limits on the page (issue 18). */
    public void limits(io.edgeway.dataplane.limits.RateLimits rates, io.edgeway.dataplane.limits.ConnectionLimits connections) {
        LimitMetrics.register(registry, rates, connections);
    }

    /** Where other parts of the proxy (stream routes) register their own metrics. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public RouteMeters routeMeters() {
        return routeMeters;
    }

    /** For requests no route took: unknown host or path, refused before routing, no config yet. */
    public RouteMeter unrouted() {
        return unrouted;
    }

    public TlsMeter tls() {
        return tls;
    }

    /** Requests counted so far with a status in this class (1-5), over all routes: for tests and tools. */
    public long responses(int statusClass) {
        String cls = RouteMeter.STATUS_CLASSES[statusClass];
        long sum = 0;
        for (CounterSnapshot.CounterDataPointSnapshot p : requests.collect().getDataPoints()) {
            if (cls.equals(p.getLabels().get("status_class"))) {
                sum += (long) p.getValue();
            }
        }
        return sum;
    }

    public long upstreamConnectionsOpened() {
        return upstreamConnectionsOpened.sum();
    }

    /** The page in the format the scraper asks for (OpenMetrics or Prometheus text, by its Accept header). */
    public record Page(byte[] body, String contentType) {}

    Page render(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable() || writer.getContentType().contains("protobuf")) {
            writer = formats.getPrometheusTextFormatWriter(); // text only: no protobuf dependency on the proxy
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Page(out.toByteArray(), writer.getContentType());
    }

    /** One family, for tests. */
    MetricSnapshot snapshot(String name) {
        return registry.scrape(n -> n.equals(name)).stream().findFirst().orElse(null);
    }

    /** Recorded per thread and added up at scrape time ({@link LoopHistogram}): two of these per request. */
    private LoopHistogramFamily histogram(String name, String help) {
        LoopHistogramFamily h = new LoopHistogramFamily(name, help, "route", SECONDS);
        registry.register(h);
        return h;
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    private void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }
}
