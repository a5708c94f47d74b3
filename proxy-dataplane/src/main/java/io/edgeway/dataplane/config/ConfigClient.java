package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.control.ControlChannel;
import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.TargetHealth;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one bidi stream to the control plane open: Hello first, then one Ack or Nack per Snapshot (made by
 * {@link SnapshotApplier}), Status and load reports in between ({@link NodeReports}), and a reconnect with
 * backoff whenever the stream ends. Everything (callbacks, sends, reconnects) runs on one thread, so the
 * stream and state need no locks.
 */
public final class ConfigClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigClient.class);
    static final long INITIAL_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 10_000;
    /**
     * How often the proxy pings an idle stream, so a dead control plane is noticed. The control plane's
     * permitKeepAliveTime must stay below it, or the server cuts proxies off for pinging too often.
     */
    public static final Duration PING_INTERVAL = Duration.ofSeconds(30);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private final ConfigHolder holder;
    private final String nodeId;
    private final Map<String, String> labels;
    private final String version;
    private volatile IntConsumer onFleetShare = proxies -> { };
    private final ScheduledExecutorService executor;
    // Built by the first connect(), on the client's thread: gRPC's classes and TLS setup then load while the
    // proxy's own thread binds its listeners, instead of before (the path to a new node's first request).
    private volatile ManagedChannel channel;
    private ConfigDiscoveryGrpc.ConfigDiscoveryStub stub; // the client's thread only
    private final ControlChannel control;
    private final SnapshotApplier applier;
    private final NodeReports reports;
    private final String host;
    private final int port;

    // Confined to the executor thread.
    private StreamObserver<NodeMessage> requests;
    private int attempts;
    private boolean closed;

    public ConfigClient(String host, int port, ConfigHolder holder, DiskCache cache, String nodeId,
            Map<String, String> labels, LongConsumer onApplied) {
        this(host, port, ControlChannel.insecurePlaintext(), holder, cache, nodeId, labels, onApplied);
    }

    /** With {@code control} deciding how the channel is secured (mTLS after a join, or insecure plaintext). */
    public ConfigClient(String host, int port, ControlChannel control, ConfigHolder holder, DiskCache cache, String nodeId,
            Map<String, String> labels, LongConsumer onApplied) {
        this.control = requireNonNull(control, "control");
        this.host = requireNonNull(host, "host");
        this.port = port;
        this.holder = requireNonNull(holder, "holder");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.labels = Map.copyOf(labels);
        String v = ConfigClient.class.getPackage().getImplementationVersion();
        this.version = v == null ? "dev" : v;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeway-config-client");
            t.setDaemon(true);
            return t;
        });
        this.applier = new SnapshotApplier(holder, requireNonNull(cache, "cache"), requireNonNull(onApplied, "onApplied"),
                executor);
        this.reports = new NodeReports(executor, this::openStream);
    }

    /** The stream to write to, or null while it is down or after close; the client's thread only. */
    private StreamObserver<NodeMessage> openStream() {
        return closed ? null : requests;
    }

    private ManagedChannel buildChannel() {
        return NettyChannelBuilder.forAddress(host, port, control.credentials())
                .executor(executor)
                .keepAliveTime(PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
    }

    /**
     * Applies the disk cache, if it holds a whole valid config, before the stream starts: the proxy then
     * serves at once even with the control plane down, and its Hello asks only for newer versions.
     */
    public boolean loadCache() {
        return applier.loadCache();
    }

    /** What else a snapshot needs before it is swapped in (stream listeners); set before {@link #loadCache}. */
    public void applyStep(ApplyStep step) {
        applier.applyStep(step);
    }

    public void start() {
        executor.execute(this::connect);
    }

    /** Whether the channel to the control plane is connected (not a promise that the stream is healthy). */
    public boolean connected() {
        ManagedChannel c = channel;
        return c != null && c.getState(false) == ConnectivityState.READY;
    }

    /**
     * Every {@code every}, {@code next}'s load summary goes on the stream (made on this client's thread, never
     * an event loop). While the stream is down the summaries are made and dropped: the fleet view shows what
     * is current, not a backlog.
     */
    public void reportLoadEvery(Duration every, Supplier<LoadReport> next) {
        reports.loadEvery(every, next);
    }

    /** Tells the control plane this node is leaving (scale-in); repeated after any reconnect. */
    public void drain() {
        reports.drain();
    }

    /**
     * Reports every target's health; called on change. Sent at most once a second: changes in between are
     * coalesced into the latest report, so a flapping target cannot flood the control plane.
     */
    public void reportTargetHealth(List<TargetHealth> targets) {
        reports.targetHealth(targets);
    }

    /** Hears the control plane's FleetShare: the number of proxies splitting fleet-scoped rate limits. */
    public void onFleetShare(IntConsumer listener) {
        this.onFleetShare = listener;
    }

    private void connect() {
        if (closed) {
            return;
        }
        if (channel == null) {
            channel = buildChannel();
            stub = ConfigDiscoveryGrpc.newStub(channel);
        }
        if (!control.prepare(host, port, channel)) { // blocks for a join: fine, this thread is not an event loop
            reconnect();
            return;
        }
        StreamObserver<NodeMessage> stream = stub.stream(new Responses());
        requests = stream;
        stream.onNext(NodeMessage.newBuilder().setHello(Hello.newBuilder()
                .setNodeId(nodeId)
                .putAllLabels(labels)
                .setDataplaneVersion(version)
                .addCapabilities(SnapshotDeltas.CAPABILITY)
                .setAppliedVersion(holder.version())).build());
        reports.sendStatus(); // a new stream may reach another replica, which knows nothing of this node yet
    }

    private final class Responses implements StreamObserver<ControlMessage> {
        @Override
        public void onNext(ControlMessage message) {
            attempts = 0; // the control plane answered: the next failure starts from the short delay
            if (message.hasSnapshot() && requests != null) {
                applier.receive(message.getSnapshot(), requests, () -> requests, stub);
            } else if (message.hasFleetShare()) { // issue 18: how many proxies split the fleet-wide rate limits
                onFleetShare.accept(message.getFleetShare().getProxies());
            }
        }

        @Override
        public void onError(Throwable t) {
            if (io.grpc.Status.fromThrowable(t).getCode() == io.grpc.Status.Code.PERMISSION_DENIED) {
                // Revoked (or a certificate for another node): retrying will not help; keep serving what we have.
                log.error("the control plane refused this node: {}",
                        io.grpc.Status.fromThrowable(t).getDescription());
            } else if (attempts == 0) {
                log.warn("config stream failed: {}", t.toString());
            } else {
                log.debug("config stream failed again (attempt {}): {}", attempts, t.toString());
            }
            reconnect();
        }

        @Override
        public void onCompleted() {
            log.info("config stream closed by the control plane");
            reconnect();
        }
    }

    private void reconnect() {
        requests = null;
        if (closed) {
            return;
        }
        long delay = backoffMillis(attempts++, ThreadLocalRandom.current().nextDouble());
        executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Exponential from 100 ms, capped at 10 s, with ±50 % jitter so a fleet does not reconnect in step. */
    static long backoffMillis(int attempt, double random) {
        long base = INITIAL_BACKOFF_MS << Math.min(attempt, 20);
        base = Math.min(base, MAX_BACKOFF_MS);
        return Math.max(1, (long) (base * (0.5 + random)));
    }

    @Override
    public void close() {
        Future<?> halfClosed = executor.submit(() -> {
            closed = true;
            if (requests != null) {
                try {
                    requests.onCompleted();
                } catch (RuntimeException ignored) {
                    // the stream may already be broken; we are leaving anyway
                }
                requests = null;
            }
        });
        try {
            halfClosed.get(1, TimeUnit.SECONDS);
            // Graceful first, so what is already handed to the stream (a draining Status) reaches the control
            // plane; an unreachable one only costs the one-second bound.
            if (channel != null) {
                channel.shutdown();
                channel.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("config stream did not close cleanly: {}", e.toString());
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        executor.shutdownNow();
        applier.close();
        control.close();
    }
}
