package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.site.BlobFetcher;
import io.edgeway.dataplane.site.SiteBlobs;
import io.edgeway.dataplane.site.SiteDistribution;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each snapshot into its answer: resolves a delta on the applied snapshot, fetches the site files it
 * lacks, compiles and swaps the config (quarantining what it cannot use), writes the disk cache, and Acks or
 * Nacks. Also applies the disk cache at start. Runs on the config client's thread, so its state needs no locks.
 *
 * <p>Versions never go backwards: a snapshot older than the applied one is Nacked with an explanation (the
 * control plane records it and the proxy keeps what it runs); the same version is Acked again without being
 * rebuilt, which is what a reconnect to another replica usually sends.
 */
final class SnapshotApplier {
    private static final Logger log = LoggerFactory.getLogger(SnapshotApplier.class);

    private final ConfigHolder holder;
    private final DiskCache cache;
    private final SiteBlobs siteBlobs;
    private final BlobFetcher fetcher;
    private final LongConsumer onApplied;
    private final Executor executor;
    private volatile ApplyStep applyStep = ApplyStep.NONE;

    // Confined to the executor thread (loadCache runs before it starts).
    /** The snapshot whose site files are being fetched; a newer snapshot cancels it. */
    private BlobFetcher.Fetch fetching;
    /** The full snapshot of the applied version: the base a delta applies on (issue 22); null when unknown. */
    private Snapshot appliedSnapshot;
    /** What the applied version left out, repeated in every Ack of it (a reconnect's, a restart's too). */
    private List<ResourceError> quarantined = List.of();
    /** The timing of the snapshot being answered, from its receipt (null: a caller of handle() alone). */
    private ApplyPhases phases;

    SnapshotApplier(ConfigHolder holder, DiskCache cache, LongConsumer onApplied, Executor executor) {
        this.holder = requireNonNull(holder, "holder");
        this.cache = requireNonNull(cache, "cache");
        this.siteBlobs = cache.siteBlobs();
        this.fetcher = new BlobFetcher(siteBlobs);
        this.onApplied = requireNonNull(onApplied, "onApplied");
        this.executor = requireNonNull(executor, "executor");
    }

    void applyStep(ApplyStep step) {
        this.applyStep = requireNonNull(step, "step");
    }

    /** See {@link ConfigClient#loadCache}. */
    boolean loadCache() {
        return cache.loadPartially(holder.meters()).map(partial -> {
            RuntimeConfig config = partial.config();
            Runnable commit;
            try {
                Snapshot cached = cache.snapshot(config.version());
                ApplyStep.Staged staged = applyStep.stagePartially(cached, config);
                commit = staged.commit();
                appliedSnapshot = cached; // before start(): the client's thread sees it after the executor hand-off
                // The Ack of this version after a restart names what it left out, as the first Ack did (issue 22).
                List<ConfigError> left = new ArrayList<>(partial.quarantined());
                left.addAll(staged.quarantined());
                quarantined = left.stream().map(ConfigError::toProto).toList();
            } catch (InvalidConfigException | IOException e) {
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

    /**
     * Answers a snapshot on {@code requests}, after fetching the site files it names and this proxy lacks (issue
     * 17): it is applied and Acked only once every one is on disk and verified, and a failed one quarantines
     * the site, while the running config keeps serving. A newer snapshot supersedes one still fetching, which is
     * not answered (the newer one's answer is what the control plane waits for). {@code current} tells whether
     * the stream was replaced meanwhile; {@code stub} fetches the files.
     */
    void receive(Snapshot received, StreamObserver<NodeMessage> requests,
                 Supplier<StreamObserver<NodeMessage>> current, ConfigDiscoveryGrpc.ConfigDiscoveryStub stub) {
        Snapshot snapshot = received;
        phases = new ApplyPhases();
        if (received.hasDelta()) {
            try {
                snapshot = AppliedDelta.resolve(received, appliedSnapshot, holder);
            } catch (IllegalArgumentException e) {
                // The control plane answers this Nack with the same version in full.
                log.info("delta to version {} not applicable, asking for the full snapshot: {}", received.getVersion(),
                        e.getMessage());
                requests.onNext(Answers.nack(received,
                        List.of(new ConfigError("snapshot", "", "delta", e.getMessage()).toProto())));
                return;
            }
            phases.mark("delta");
        }
        receiveFull(snapshot, requests, current, stub);
    }

    private void receiveFull(Snapshot snapshot, StreamObserver<NodeMessage> answerTo,
                             Supplier<StreamObserver<NodeMessage>> current, ConfigDiscoveryGrpc.ConfigDiscoveryStub stub) {
        if (fetching != null) {
            fetching.cancel();
            fetching = null;
            log.info("snapshot version {} supersedes the one whose site files were being fetched", snapshot.getVersion());
        }
        boolean wouldApply = snapshot.getVersion() > holder.version() || !holder.applied();
        Map<String, Long> missing = wouldApply ? SiteDistribution.missing(snapshot, siteBlobs) : Map.of();
        if (missing.isEmpty()) {
            answerTo.onNext(handle(snapshot));
            return;
        }
        log.info("fetching {} site files for config version {}", missing.size(), snapshot.getVersion());
        BlobFetcher.Fetch[] self = new BlobFetcher.Fetch[1];
        self[0] = fetcher.fetch(stub, missing, failures -> afterFetch(() -> {
            if (fetching != self[0]) {
                return; // superseded meanwhile
            }
            fetching = null;
            if (current.get() != answerTo) {
                return; // the stream was replaced: the control plane sends the snapshot again, the files are here now
            }
            if (failures.isEmpty()) {
                answerTo.onNext(handle(snapshot));
            } else {
                // Issue 22: the sites whose files failed are quarantined (with the fetch's reason), the rest applies.
                log.warn("config version {}: {} site files could not be fetched: {}", snapshot.getVersion(),
                        failures.size(), failures);
                answerTo.onNext(handle(snapshot, SiteDistribution.errors(snapshot, failures)));
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
            return Answers.nack(snapshot, List.of(new ConfigError("snapshot", "", "version",
                    snapshot.getVersion() + " is older than the applied version " + held
                            + "; a proxy never goes backwards").toProto()));
        }
        // The version held (a reconnect) needs only an Ack. Version 0 before anything is applied is not held
        // but an empty control plane's first config, which must be applied for the proxy to become ready.
        if (snapshot.getVersion() == held && holder.applied()) {
            return Answers.ack(snapshot, quarantined);
        }
        try {
            return apply(snapshot, fetchErrors);
        } catch (InvalidConfigException e) {
            log.warn("rejected config version {}: {}", snapshot.getVersion(), e.getMessage());
            holder.rejectedOne();
            return Answers.nack(snapshot, e.errors().stream().map(ConfigError::toProto).toList());
        } catch (RuntimeException e) {
            log.error("could not build config version {}", snapshot.getVersion(), e);
            holder.rejectedOne();
            return Answers.nack(snapshot, List.of(new ConfigError("snapshot", "", "", "internal error: " + e).toProto()));
        }
    }

    private NodeMessage apply(Snapshot snapshot, List<ConfigError> fetchErrors) throws InvalidConfigException {
        long started = System.nanoTime();
        ApplyPhases timing = phases != null ? phases : new ApplyPhases();
        phases = null;
        // keeps per-target state; leaves out (quarantines) what it cannot use, refuses only what is unusable whole
        PartialConfig compiled = RuntimeConfig.compile(snapshot, holder.get(), holder.meters(), siteBlobs);
        RuntimeConfig config = compiled.config();
        timing.mark("compile");
        ApplyStep.Staged staged = applyStep.stagePartially(snapshot, config); // binds new stream ports it can
        Runnable commit = staged.commit();
        timing.mark("stage");
        Set<String> fetchFailed = new HashSet<>();
        fetchErrors.forEach(e -> fetchFailed.add(e.name()));
        List<ConfigError> left = new ArrayList<>(compiled.quarantined().stream()
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
        timing.mark("swap");
        // The phases say where a slow apply went (issue 14's bench reads this line's timestamp as "applied").
        if (left.isEmpty()) {
            log.info("applied config version {} ({} routes) {} ms after receipt: {}", config.version(),
                    config.routes().size(), timing.elapsedNanos() / 1_000_000, timing);
        } else {
            log.warn("applied config version {} ({} routes) with {} quarantined: {}; {} ms after receipt: {}", config.version(),
                    config.routes().size(), left.size(), left, timing.elapsedNanos() / 1_000_000, timing);
        }
        // Written before the Ack, so an acked version is also durable; this thread is not an event loop.
        try {
            cache.store(snapshot);
        } catch (IOException | RuntimeException e) {
            // The config is applied and valid; a full disk costs only the restart-without-CP case.
            log.error("could not write the config cache for version {}: {}", config.version(), e.toString());
        }
        timing.mark("disk cache");
        if (timing.elapsedNanos() >= 100_000_000) {
            log.info("config version {} acked {} ms after receipt: {}", config.version(), timing.elapsedNanos() / 1_000_000,
                    timing);
        }
        return Answers.ack(snapshot, quarantined);
    }

    void close() {
        fetcher.close();
    }
}
