package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.MasterKey;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the snapshot when it hears of a newer revision. Single flight: at most one build runs, and
 * revisions announced meanwhile collapse into one more build of whatever is current by then, so a burst
 * of writes never builds the versions in between.
 */
public final class SnapshotRefresher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotRefresher.class);

    /** A build slower than this is logged with its phases. */
    private static final long SLOW_BUILD_NANOS = 100_000_000;

    private final Database db;
    private final SnapshotCache cache;
    private final AtomicLong wanted = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    // Confined to the one build at a time (buildNow before serving, then the single builder thread).
    private final SnapshotBuilder.Reusing builder;
    private ConfigState last;
    private volatile Runnable beforeInstall = () -> {};
    private volatile Consumer<BuildPhases> onBuilt = phases -> {};
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "edgeway-snapshot-builder");
        t.setDaemon(true);
        return t;
    });

    public SnapshotRefresher(Database db, SnapshotCache cache) {
        this.db = requireNonNull(db, "db");
        this.cache = requireNonNull(cache, "cache");
        this.builder = new SnapshotBuilder.Reusing();
    }

    /** Pushes the stored certificates too, their keys opened with {@code masterKey}. */
    public SnapshotRefresher(Database db, SnapshotCache cache, MasterKey masterKey) {
        this.db = requireNonNull(db, "db");
        this.cache = requireNonNull(cache, "cache");
        this.builder = new SnapshotBuilder.Reusing(new CertificatePush(masterKey));
    }

    /**
     * Runs {@code hook} after each build and before its install: the rollout plan is re-read there, so a
     * revision that opens a canary rollout (written in the same transaction) never reaches a stream without it.
     */
    public void beforeInstall(Runnable hook) {
        this.beforeInstall = requireNonNull(hook, "hook");
    }

    /** Tells {@code listener} where each build's time went (the fan-out bench prints it per phase). */
    public void onBuilt(Consumer<BuildPhases> listener) {
        this.onBuilt = requireNonNull(listener, "listener");
    }

    /** Builds the current config now, on the caller's thread: done once at startup before serving. */
    public void buildNow() {
        buildAndInstall();
    }

    /** Notes that {@code revision} is committed; builds it soon unless the cache already has it. */
    public void onRevision(long revision) {
        wanted.accumulateAndGet(revision, Math::max);
        if (wanted.get() > cache.version() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                scheduled.set(false); // closing; the next replica start builds from the database anyway
            }
        }
    }

    private void drain() {
        boolean failed = false;
        try {
            for (long target = wanted.get(); target > cache.version(); target = wanted.get()) {
                PreparedSnapshot built = buildAndInstall();
                // Compared with what was wanted when this build began: a revision announced during the build
                // is newer than what it read, and the loop builds it next instead of leaving it to the poll.
                if (built.version() < target) {
                    failed = true;
                    break; // the database is behind an announced revision; the next poll retries rather than spin
                }
            }
        } catch (RuntimeException e) {
            failed = true;
            log.warn("snapshot build failed; the next revision poll retries", e);
        } finally {
            scheduled.set(false);
        }
        // A revision announced between the loop's last check and the flag reset found the flag still set.
        if (!failed) {
            onRevision(wanted.get());
        }
    }

    /**
     * Reads what changed since the last build (see {@link ConfigState#load(Database, ConfigState)}), builds from
     * it and installs the result, timing each phase.
     */
    private PreparedSnapshot buildAndInstall() {
        long start = System.nanoTime();
        ConfigState state = ConfigState.load(db, last);
        long loaded = System.nanoTime();
        PreparedSnapshot built = builder.build(state);
        last = state;
        long prepared = System.nanoTime();
        beforeInstall.run();
        cache.set(built);
        long installed = System.nanoTime();
        // Nodes on the previous version have the delta by now; a node that needs the full snapshot (a reconnect, a
        // gap, no delta capability) finds it ready, or makes it itself if it asked during the install.
        built.prepareFull();
        long deferred = System.nanoTime() - installed;
        long assemble = builder.lastAssembleNanos();
        BuildPhases phases = new BuildPhases(built.version(), start, loaded - start, assemble, prepared - loaded - assemble,
                installed - prepared, deferred, built.delta() != null);
        if (phases.pushPathNanos() >= SLOW_BUILD_NANOS) {
            // a write's time to the fleet is this plus the proxies' apply: the operator (and issue 14's bench) can
            // tell which side a slow one spent it on
            log.info("built snapshot version {} in {} ms: load {} ms, assemble {} ms (certificates {} ms), encode {} ms ({}),"
                            + " install {} ms; then the full gzip {} ms", phases.version(), phases.pushPathNanos() / 1_000_000,
                    phases.loadNanos() / 1_000_000, assemble / 1_000_000, builder.lastCertificatesNanos() / 1_000_000,
                    phases.prepareNanos() / 1_000_000, phases.withDelta() ? "with a delta" : "full only",
                    phases.installNanos() / 1_000_000, deferred / 1_000_000);
        }
        onBuilt.accept(phases);
        return built;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
