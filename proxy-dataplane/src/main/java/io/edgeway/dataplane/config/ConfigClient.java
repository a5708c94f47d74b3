package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.Nack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Status;
import io.edgeway.proto.v1.LoadReport;
import java.time.Duration;
import java.util.function.Supplier;
import io.grpc.ConnectivityState;
import io.edgeway.proto.v1.TargetHealth;
import io.edgeway.dataplane.control.ControlChannel;
import io.edgeway.dataplane.site.BlobFetcher;
import io.edgeway.dataplane.site.SiteBlobs;
import io.edgeway.dataplane.site.SiteDistribution;
import java.util.HashSet;
import java.util.Set;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one bidi stream to the control plane open: Hello first, then one Ack or Nack per Snapshot.
 * Everything (callbacks, sends, reconnects) runs on one thread, so the stream and state need no locks.
 *
 * <p>Versions never go backwards: a snapshot older than the applied one is Nacked with an explanation
 * (the control plane records it and the proxy keeps what it runs); the same version is Acked again
 * without being rebuilt, which is what a reconnect to another replica usually sends.
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
    private final LongConsumer onApplied;
    private volatile java.util.function.IntConsumer onFleetShare = proxies -> { };
    private final DiskCache cache;
    private final ScheduledExecutorService executor;
    // Built by the first connect(), on the client's thread: gRPC's classes and TLS setup then load while the
    // proxy's own thread binds its listeners, instead of before (the path to a new node's first request).
    private volatile ManagedChannel channel;
    private ConfigDiscoveryGrpc.ConfigDiscoveryStub stub; // the client's thread only
    private final ControlChannel control;
    private final SiteBlobs siteBlobs;
    private final BlobFetcher fetcher;
    private volatile ApplyStep applyStep = ApplyStep.NONE;
    private final String host;
    private final int port;

    // Confined to the executor thread.
    private StreamObserver<NodeMessage> requests;
    private int attempts;
    private boolean closed;
    private boolean draining;
    private List<TargetHealth> targetHealth; // the latest report; resent after every Hello
    private long healthSentNanos;
    private boolean healthScheduled;
    /** The snapshot whose site files are being fetched; a newer snapshot cancels it. */
    private BlobFetcher.Fetch fetching;
    /** The full snapshot of the applied version: the base a delta applies on (issue 22); null when unknown. */
    private Snapshot appliedSnapshot;
    /** What the applied version left out, repeated in every Ack of it (a reconnect's Ack too). */
    private List<ResourceError> quarantined = List.of();

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
        this.cache = requireNonNull(cache, "cache");
        this.siteBlobs = cache.siteBlobs();
        this.fetcher = new BlobFetcher(siteBlobs);
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.labels = Map.copyOf(labels);
        this.onApplied = requireNonNull(onApplied, "onApplied");
        String v = ConfigClient.class.getPackage().getImplementationVersion();
        this.version = v == null ? "dev" : v;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeway-config-client");
            t.setDaemon(true);
            return t;
        });
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
        return cache.load(holder.meters()).map(config -> {
            Runnable commit;
            try {
                Snapshot cached = cache.snapshot(config.version());
                ApplyStep.Staged staged = applyStep.stagePartially(cached, config);
                commit = staged.commit();
                appliedSnapshot = cached; // before start(): the client's thread sees it after the executor hand-off
            } catch (InvalidConfigException | java.io.IOException e) {
                // Not applied at all, so the control plane's copy of this version is applied (or Nacked) in full.
                log.error("refusing cached config version {}: {}", config.version(), e.getMessage());
                return false;
            }
            holder.set(config);
            commit.run();
            log.info("applied cached config version {} ({} routes)", config.version(), config.routes().size());
            return true;
        }).orElse(false);
    }

    /** What else a snapshot needs before it is swapped in (stream listeners); set before {@link #loadCache}. */
    public void applyStep(ApplyStep step) {
        this.applyStep = requireNonNull(step, "step");
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
        long ms = Math.max(1, every.toMillis());
        executor.scheduleAtFixedRate(() -> {
            try {
                LoadReport r = next.get();
                if (requests != null && !closed) {
                    requests.onNext(NodeMessage.newBuilder().setLoad(r).build());
                }
            } catch (RuntimeException e) {
                log.warn("could not send a load report: {}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Tells the control plane this node is leaving (scale-in); repeated after any reconnect. */
    public void drain() {
        executor.execute(() -> {
            draining = true;
            sendStatus();
        });
    }

    /**
     * One Status carries everything the control plane keeps about this node beyond versions (drain state and
     * target health), so no report can make another look stale.
     */
    private void sendStatus() {
        if (requests == null || (!draining && targetHealth == null)) {
            return;
        }
        Status.Builder status = Status.newBuilder().setDraining(draining);
        if (targetHealth != null) {
            status.addAllTargets(targetHealth);
        }
        requests.onNext(NodeMessage.newBuilder().setStatus(status).build());
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
        sendStatus(); // a new stream may reach another replica, which knows nothing of this node yet
    }

    /**
     * Reports every target's health; called on change. Sent at most once a second: changes in between are
     * coalesced into the latest report, so a flapping target cannot flood the control plane.
     */
    public void reportTargetHealth(List<TargetHealth> targets) {
        List<TargetHealth> copy = List.copyOf(targets);
        try {
            executor.execute(() -> reportOnExecutor(copy));
        } catch (RejectedExecutionException e) {
            // closing: the stream is gone, and the health thread must not die of it
        }
    }

    private void reportOnExecutor(List<TargetHealth> copy) {
        targetHealth = copy;
        if (healthScheduled) {
            return; // already due to send: it will send this newer report
        }
        healthScheduled = true;
        long waitNanos = healthSentNanos == 0 ? 0
                : Math.max(0, healthSentNanos + TimeUnit.SECONDS.toNanos(1) - System.nanoTime());
        executor.schedule(() -> {
            healthScheduled = false;
            sendTargetHealth();
        }, waitNanos, TimeUnit.NANOSECONDS);
    }

    private void sendTargetHealth() {
        if (requests == null || closed) {
            return;
        }
        healthSentNanos = System.nanoTime();
        sendStatus();
    }

    /** Hears the control plane's FleetShare: the number of proxies splitting fleet-scoped rate limits. */
    public void onFleetShare(java.util.function.IntConsumer listener) {
        this.onFleetShare = listener;
    }

    private final class Responses implements StreamObserver<ControlMessage> {
        @Override
        public void onNext(ControlMessage message) {
            attempts = 0; // the control plane answered: the next failure starts from the short delay
            if (message.hasSnapshot() && requests != null) {
                receive(message.getSnapshot());
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

    /**
     * Answers a snapshot, after fetching the site files it names and this proxy lacks (issue 17): it is applied
     * and Acked only once every one is on disk and verified, and a failed one Nacks it naming the site, while
     * the running config keeps serving. A newer snapshot supersedes one still fetching, which is not answered
     * (the newer one's answer is what the control plane waits for).
     */
    private void receive(Snapshot received) {
        Snapshot snapshot = received;
        if (received.hasDelta()) {
            try {
                snapshot = AppliedDelta.resolve(received, appliedSnapshot, holder);
            } catch (IllegalArgumentException e) {
                // The control plane answers this Nack with the same version in full.
                log.info("delta to version {} not applicable, asking for the full snapshot: {}", received.getVersion(),
                        e.getMessage());
                requests.onNext(nack(received, List.of(new ConfigError("snapshot", "", "delta", e.getMessage()).toProto())));
                return;
            }
        }
        receiveFull(snapshot);
    }

    private void receiveFull(Snapshot snapshot) {
        if (fetching != null) {
            fetching.cancel();
            fetching = null;
            log.info("snapshot version {} supersedes the one whose site files were being fetched", snapshot.getVersion());
        }
        boolean wouldApply = snapshot.getVersion() > holder.version() || !holder.applied();
        Map<String, Long> missing = wouldApply ? SiteDistribution.missing(snapshot, siteBlobs) : Map.of();
        if (missing.isEmpty()) {
            requests.onNext(handle(snapshot));
            return;
        }
        log.info("fetching {} site files for config version {}", missing.size(), snapshot.getVersion());
        StreamObserver<NodeMessage> answerTo = requests;
        BlobFetcher.Fetch[] self = new BlobFetcher.Fetch[1];
        self[0] = fetcher.fetch(stub, missing, failures -> afterFetch(() -> {
            if (fetching != self[0]) {
                return; // superseded meanwhile
            }
            fetching = null;
            if (requests != answerTo) {
                return; // the stream was replaced: the control plane sends the snapshot again, the files are here now
            }
            if (failures.isEmpty()) {
                requests.onNext(handle(snapshot));
            } else {
                // Issue 22: the sites whose files failed are quarantined (with the fetch's reason), the rest applies.
                log.warn("config version {}: {} site files could not be fetched: {}", snapshot.getVersion(),
                        failures.size(), failures);
                requests.onNext(handle(snapshot, SiteDistribution.errors(snapshot, failures)));
            }
        }));
        fetching = self[0];
    }

    private void afterFetch(Runnable answer) {
        try {
            executor.execute(answer);
        } catch (RejectedExecutionException e) {
            // closing: nobody is left to answer
        }
    }

    /** Builds the answer to one snapshot, swapping the config when it is valid and newer. */
    NodeMessage handle(Snapshot snapshot) {
        return handle(snapshot, List.of());
    }

    /** As above; {@code fetchErrors} say why some sites' files are missing, in place of "not on this proxy". */
    private NodeMessage handle(Snapshot snapshot, List<ConfigError> fetchErrors) {
        long held = holder.version();
        if (snapshot.getVersion() < held) {
            log.warn("refusing snapshot version {}: older than applied version {}", snapshot.getVersion(), held);
            return nack(snapshot, List.of(new ConfigError("snapshot", "", "version",
                    snapshot.getVersion() + " is older than the applied version " + held
                            + "; a proxy never goes backwards").toProto()));
        }
        // The version held (a reconnect) needs only an Ack. Version 0 before anything is applied is not held
        // but an empty control plane's first config, which must be applied for the proxy to become ready.
        if (snapshot.getVersion() == held && holder.applied()) {
            return ack(snapshot, quarantined);
        }
        try {
            long started = System.nanoTime();
            // keeps per-target state; leaves out (quarantines) what it cannot use, refuses only what is unusable whole
            PartialConfig compiled = RuntimeConfig.compile(snapshot, holder.get(), holder.meters(), siteBlobs);
            RuntimeConfig config = compiled.config();
            ApplyStep.Staged staged = applyStep.stagePartially(snapshot, config); // binds new stream ports it can
            Runnable commit = staged.commit();
            Set<String> fetchFailed = new HashSet<>();
            fetchErrors.forEach(e -> fetchFailed.add(e.name()));
            List<ConfigError> left = new java.util.ArrayList<>(compiled.quarantined().stream()
                    .filter(e -> !(e.kind().equals("site") && fetchFailed.contains(e.name()))).toList());
            left.addAll(fetchErrors);
            left.addAll(staged.quarantined());
            Set<String> keep = new HashSet<>(config.sites().blobNames());
            keep.addAll(holder.get().sites().blobNames()); // the previous deployment may still be sending a file
            holder.set(config);
            commit.run();
            siteBlobs.collectGarbage(keep);
            holder.applyTook(System.nanoTime() - started);
            appliedSnapshot = snapshot;
            quarantined = left.stream().map(ConfigError::toProto).toList();
            onApplied.accept(config.version());
            if (left.isEmpty()) {
                log.info("applied config version {} ({} routes)", config.version(), config.routes().size());
            } else {
                log.warn("applied config version {} ({} routes) with {} quarantined: {}", config.version(),
                        config.routes().size(), left.size(), left);
            }
            // Written before the Ack, so an acked version is also durable; this thread is not an event loop.
            try {
                cache.store(snapshot);
            } catch (IOException | RuntimeException e) {
                // The config is applied and valid; a full disk costs only the restart-without-CP case.
                log.error("could not write the config cache for version {}: {}", config.version(), e.toString());
            }
            return ack(snapshot, quarantined);
        } catch (InvalidConfigException e) {
            log.warn("rejected config version {}: {}", snapshot.getVersion(), e.getMessage());
            holder.rejectedOne();
            return nack(snapshot, e.errors().stream().map(ConfigError::toProto).toList());
        } catch (RuntimeException e) {
            log.error("could not build config version {}", snapshot.getVersion(), e);
            holder.rejectedOne();
            return nack(snapshot, List.of(new ConfigError("snapshot", "", "", "internal error: " + e).toProto()));
        }
    }

    private static NodeMessage ack(Snapshot s, List<ResourceError> quarantined) {
        return NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())
                .addAllQuarantined(quarantined)).build();
    }

    private static NodeMessage nack(Snapshot s, List<ResourceError> errors) {
        return NodeMessage.newBuilder().setNack(Nack.newBuilder().setVersion(s.getVersion())
                .setNonce(s.getNonce()).addAllErrors(errors)).build();
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
        fetcher.close();
        control.close();
    }
}
