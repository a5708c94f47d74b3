package io.edgeway.dataplane;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.dataplane.trace.OtlpSettings;
import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.config.Durations;
import io.edgeway.dataplane.tls.TlsSettings;
import io.edgeway.dataplane.control.ControlPlaneAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Everything the data plane reads from flags and the environment, resolved once at start.
 * Flags win over environment variables; port 0 means an ephemeral port.
 */
public record Settings(
        String controlPlaneHost,
        int controlPlanePort,
        String proxyAddress,
        int proxyPort,
        int statusPort,
        Path dataDir,
        int workers,
        String nodeId,
        Map<String, String> labels,
        ClientLimits client,
        Duration drainDelay,
        Duration drainTimeout,
        TlsSettings tls,
        ControlPlaneAuth controlPlaneAuth,
        Observability observability,
        LimitSettings limits) {

    /**
     * The access log ({@link AccessLogSettings}) and W3C trace context on the way to targets
     * ({@code EDGEWAY_TRACE_CONTEXT}: {@code on}, the default, or {@code off}), the per-route request metrics
     * ({@code EDGEWAY_ROUTE_METRICS}: {@code on}, the default, or {@code off}, for measuring what they cost) and
     * the load reports' period ({@code EDGEWAY_LOAD_REPORT_INTERVAL}, default 5s) and OTLP span export
     * ({@link OtlpSettings}, off by default; it needs trace context on).
     */
    public record Observability(AccessLogSettings accessLog, boolean traceContext, Duration loadReportInterval,
            boolean routeMetrics, OtlpSettings otlp) {
        /** EDGEWAY_LOAD_REPORT_INTERVAL: how often the proxy tells the control plane its per-route load. */
        static final Duration DEFAULT_LOAD_REPORT = Duration.ofSeconds(5);
        public static final Observability DEFAULTS = new Observability(AccessLogSettings.OFF, true);

        public Observability {
            requireNonNull(accessLog, "accessLog");
            requireNonNull(loadReportInterval, "loadReportInterval");
            requireNonNull(otlp, "otlp");
            if (otlp.on() && !traceContext) {
                throw new IllegalArgumentException("EDGEWAY_OTLP_ENDPOINT is set but EDGEWAY_TRACE_CONTEXT is off"
                        + " (a span's ids are the traceparent sent to the target: turn trace context on)");
            }
            if (loadReportInterval.toMillis() < 10) {
                throw new IllegalArgumentException("EDGEWAY_LOAD_REPORT_INTERVAL: " + loadReportInterval
                        + " (expected: at least 10ms)");
            }
        }

        public Observability(AccessLogSettings accessLog, boolean traceContext) {
            this(accessLog, traceContext, DEFAULT_LOAD_REPORT, true, OtlpSettings.OFF);
        }

        public Observability(AccessLogSettings accessLog, boolean traceContext, Duration loadReportInterval) {
            this(accessLog, traceContext, loadReportInterval, true, OtlpSettings.OFF);
        }

        public Observability withOtlp(OtlpSettings o) {
            return new Observability(accessLog, traceContext, loadReportInterval, routeMetrics, o);
        }

        static Observability from(Map<String, String> env) {
            return new Observability(AccessLogSettings.from(env), onOff(env, "EDGEWAY_TRACE_CONTEXT"),
                    Durations.fromEnv(env, "EDGEWAY_LOAD_REPORT_INTERVAL", DEFAULT_LOAD_REPORT),
                    onOff(env, "EDGEWAY_ROUTE_METRICS"), OtlpSettings.from(env));
        }

        private static boolean onOff(Map<String, String> env, String name) {
            String v = env.getOrDefault(name, "on");
            if (!v.equals("on") && !v.equals("off")) {
                throw new IllegalArgumentException(name + ": '" + v + "' (expected: on or off)");
            }
            return v.equals("on");
        }
    }

    static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(5);
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public Settings {
        requireNonNull(controlPlaneHost, "controlPlaneHost");
        requireNonNull(proxyAddress, "proxyAddress");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(nodeId, "nodeId");
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        requireNonNull(client, "client");
        requireNonNull(drainDelay, "drainDelay");
        requireNonNull(drainTimeout, "drainTimeout");
        requireNonNull(tls, "tls");
        requireNonNull(controlPlaneAuth, "controlPlaneAuth");
        requireNonNull(observability, "observability");
        requireNonNull(limits, "limits");
        if (drainDelay.isNegative() || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainDelay/drainTimeout: " + drainDelay + "/" + drainTimeout
                    + " (expected: >= 0)");
        }
        checkPort("controlPlanePort", controlPlanePort, false);
        checkPort("proxyPort", proxyPort, true);
        checkPort("statusPort", statusPort, true);
        if (workers < 1) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: >= 1)");
        }
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId: must not be blank");
        }
    }

    /** Settings for tests and embedding: ephemeral ports, the given control plane and data dir. */
    public static Settings forTest(int controlPlanePort, Path dataDir) {
        return new Settings("127.0.0.1", controlPlanePort, "127.0.0.1", 0, 0, dataDir, 2,
                UUID.randomUUID().toString(), Map.of(), ClientLimits.DEFAULTS, Duration.ZERO, DEFAULT_DRAIN_TIMEOUT,
                TlsSettings.forTest(),
                ControlPlaneAuth.INSECURE_PLAINTEXT, Observability.DEFAULTS, LimitSettings.DEFAULTS); // tests' control planes are plaintext on loopback unless they say otherwise
    }

    public Settings withLimits(LimitSettings l) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, nodeId, labels, client, drainDelay, drainTimeout, tls, controlPlaneAuth, observability, l);
    }

    public Settings withNodeId(String id) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, id, labels, client, drainDelay, drainTimeout, tls, controlPlaneAuth, observability, limits);
    }

    public Settings withClient(ClientLimits limits) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, nodeId, labels, limits, drainDelay, drainTimeout, tls, controlPlaneAuth, observability, this.limits);
    }

    public Settings withTls(TlsSettings t) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, nodeId, labels, client, drainDelay, drainTimeout, t, controlPlaneAuth, observability, limits);
    }

    public Settings withObservability(Observability o) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, nodeId, labels, client, drainDelay, drainTimeout, tls, controlPlaneAuth, o, limits);
    }

    public Settings withControlPlaneAuth(ControlPlaneAuth auth) {
        return new Settings(controlPlaneHost, controlPlanePort, proxyAddress, proxyPort, statusPort, dataDir,
                workers, nodeId, labels, client, drainDelay, drainTimeout, tls, auth, observability, limits);
    }

    /**
     * Flags: {@code --control-plane host:port}. Environment: EDGEWAY_CONTROL_PLANE, EDGEWAY_PROXY_PORT,
     * EDGEWAY_PROXY_ADDRESS, EDGEWAY_STATUS_PORT, EDGEWAY_DATA_DIR, EDGEWAY_WORKERS, EDGEWAY_NODE_ID,
     * EDGEWAY_NODE_LABELS ({@code key=value,...}, sent in Hello: see {@link NodeLabels}),
     * EDGEWAY_JOIN_TOKEN / EDGEWAY_JOIN_TOKEN_FILE and EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT (see {@link ControlPlaneAuth}),
     * EDGEWAY_DRAIN_DELAY (default 5s), EDGEWAY_DRAIN_TIMEOUT (default 30s), EDGEWAY_UPSTREAM_IDLE_TIMEOUT
     * (default 4s, read by {@link DataPlane}: how long an idle upstream connection stays pooled), and the client limits and
     * timeouts described in {@link ClientLimits}, the TLS listener's in {@link TlsSettings}, the access log's and
     * trace context's in {@link Observability}; durations as
     * {@link Durations} reads them: "500ms", "5s", "1m", "1h", a bare number being seconds.
     */
    public static Settings from(String[] args, Map<String, String> env) {
        String controlPlane = env.getOrDefault("EDGEWAY_CONTROL_PLANE", "127.0.0.1:8005");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--control-plane") && i + 1 < args.length) {
                controlPlane = args[++i];
            } else if (arg.startsWith("--control-plane=")) {
                controlPlane = arg.substring("--control-plane=".length());
            } else {
                throw new IllegalArgumentException("unknown argument: " + arg
                        + " (expected: --control-plane host:port)");
            }
        }
        int colon = controlPlane.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("control plane: " + controlPlane + " (expected: host:port)");
        }
        String cpHost = controlPlane.substring(0, colon);
        if (cpHost.startsWith("[") && cpHost.endsWith("]")) {
            cpHost = cpHost.substring(1, cpHost.length() - 1);
        }
        int cpPort = parseInt("control plane port", controlPlane.substring(colon + 1));
        Path dataDir = Path.of(env.getOrDefault("EDGEWAY_DATA_DIR", "./data"));
        String nodeId = env.get("EDGEWAY_NODE_ID");
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = persistentNodeId(dataDir);
        }
        return new Settings(cpHost, cpPort,
                env.getOrDefault("EDGEWAY_PROXY_ADDRESS", "0.0.0.0"),
                parseInt("EDGEWAY_PROXY_PORT", env.getOrDefault("EDGEWAY_PROXY_PORT", "8000")),
                parseInt("EDGEWAY_STATUS_PORT", env.getOrDefault("EDGEWAY_STATUS_PORT", "8100")),
                dataDir,
                parseInt("EDGEWAY_WORKERS", env.getOrDefault("EDGEWAY_WORKERS",
                        String.valueOf(Runtime.getRuntime().availableProcessors()))),
                nodeId, NodeLabels.parse(env.get("EDGEWAY_NODE_LABELS")), ClientLimits.from(env),
                drain("EDGEWAY_DRAIN_DELAY", env, DEFAULT_DRAIN_DELAY),
                drain("EDGEWAY_DRAIN_TIMEOUT", env, DEFAULT_DRAIN_TIMEOUT),
                TlsSettings.from(env),
                ControlPlaneAuth.from(env),
                Observability.from(env),
                LimitSettings.from(env));
    }

    private static Duration drain(String name, Map<String, String> env, Duration fallback) {
        return Durations.fromEnv(env, name, fallback);
    }

    /** A random id kept in {@code <dataDir>/node-id} so that a restarted proxy is the same node. */
    static String persistentNodeId(Path dataDir) {
        Path file = dataDir.resolve("node-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            Files.createDirectories(dataDir);
            String id = UUID.randomUUID().toString();
            Path tmp = Files.createTempFile(dataDir, "node-id", ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("node id file: " + file, e);
        }
    }

    private static int parseInt(String what, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: an integer)");
        }
    }

    private static void checkPort(String what, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException(what + ": " + port + " (expected: "
                    + (zeroAllowed ? "0" : "1") + "-65535)");
        }
    }
}
