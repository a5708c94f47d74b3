package io.edgeway.dataplane.status;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** A handful of counters kept with LongAdders and rendered as Prometheus text. */
public final class Metrics {
    private final LongAdder[] responsesByClass = new LongAdder[6];
    public final LongAdder clientConnections = new LongAdder();
    public final LongAdder upstreamConnectionsOpened = new LongAdder();
    public final LongAdder upstreamConnectionsActive = new LongAdder();
    public final LongAdder upstreamConnectionsIdle = new LongAdder();
    public final LongAdder upstreamConnectFailures = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    private final LongSupplier configVersion;
    // Bound after construction: the config client and drain state are built after the metrics they feed.
    private volatile BooleanSupplier draining = () -> false;
    private volatile BooleanSupplier controlPlaneConnected = () -> false;

    public Metrics(LongSupplier configVersion) {
        this.configVersion = configVersion;
        for (int i = 0; i < responsesByClass.length; i++) {
            responsesByClass[i] = new LongAdder();
        }
    }

    /** Operational state for dashboards and alerts: a fleet serving on stale config, a node leaving. */
    public void bind(BooleanSupplier draining, BooleanSupplier controlPlaneConnected) {
        this.draining = draining;
        this.controlPlaneConnected = controlPlaneConnected;
    }

    public void response(int status) {
        int cls = status / 100;
        responsesByClass[cls >= 1 && cls <= 5 ? cls : 0].increment();
    }

    public long responses(int statusClass) {
        return responsesByClass[statusClass].sum();
    }

    public long upstreamConnectionsOpened() {
        return upstreamConnectionsOpened.sum();
    }

    String render() {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# HELP edgeway_requests_total Responses sent to clients, by status class.\n")
                .append("# TYPE edgeway_requests_total counter\n");
        for (int i = 1; i <= 5; i++) {
            sb.append("edgeway_requests_total{class=\"").append(i).append("xx\"} ")
                    .append(responsesByClass[i].sum()).append('\n');
        }
        gauge(sb, "edgeway_config_version", "The applied config version, 0 before the first.",
                configVersion.getAsLong());
        gauge(sb, "edgeway_control_plane_connected", "1 while the config stream's connection is up.",
                controlPlaneConnected.getAsBoolean() ? 1 : 0);
        gauge(sb, "edgeway_draining", "1 from SIGTERM until exit: /readyz is 503 on purpose.",
                draining.getAsBoolean() ? 1 : 0);
        gauge(sb, "edgeway_client_connections", "Open client connections.", clientConnections.sum());
        counter(sb, "edgeway_upstream_connections_opened_total", "Upstream connections opened.",
                upstreamConnectionsOpened.sum());
        counter(sb, "edgeway_upstream_connect_failures_total", "Upstream connection attempts that failed.",
                upstreamConnectFailures.sum());
        gauge(sb, "edgeway_upstream_connections", "Open upstream connections.", upstreamConnectionsActive.sum());
        gauge(sb, "edgeway_upstream_connections_idle", "Upstream connections idle in the pools.",
                upstreamConnectionsIdle.sum());
        counter(sb, "edgeway_bad_requests_total", "Requests refused as malformed before reaching an upstream (HTTP/1.1: 4xx; HTTP/2: stream reset).",
                badRequests.sum());
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }
}
