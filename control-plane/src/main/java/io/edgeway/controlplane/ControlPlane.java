package io.edgeway.controlplane;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.api.AdminApi;
import io.edgeway.controlplane.discovery.ConfigDiscovery;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.metrics.ControlPlaneMetrics;
import io.edgeway.controlplane.metrics.FleetGauges;
import java.util.function.LongConsumer;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.discovery.SnapshotCheck;
import io.edgeway.controlplane.discovery.SnapshotRefresher;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.acme.AcmeSettings;
import io.edgeway.controlplane.acme.AcmeWorker;
import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.discovery.TicketKeyRotation;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.ConfigListener;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.IdempotencyStore;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.SessionTicketKeys;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.rollout.RolloutActions;
import io.edgeway.controlplane.rollout.RolloutWatcher;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.History;
import io.edgeway.controlplane.store.RolloutStore;
import io.edgeway.controlplane.store.TokenStore;
import io.edgeway.controlplane.store.UpstreamStore;
import io.edgeway.controlplane.tls.AdminHttps;
import io.grpc.Server;
import io.javalin.Javalin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running control plane: settings, then database, migrations, snapshot, gRPC and the admin API. */
public final class ControlPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    private final Settings settings;
    private final SnapshotCache cache;
    private final Javalin admin;
    private final Server grpc;
    private final SnapshotRefresher refresher;
    // Closed in reverse start order, so nothing outlives what it depends on.
    private final Deque<AutoCloseable> resources;

    private ControlPlane(Settings settings, SnapshotCache cache, Javalin admin, Server grpc, SnapshotRefresher refresher,
                         Deque<AutoCloseable> resources) {
        this.settings = settings;
        this.refresher = refresher;
        this.cache = cache;
        this.admin = admin;
        this.grpc = grpc;
        this.resources = resources;
    }

    public static void main(String[] args) {
        ControlPlane cp;
        try {
            cp = start(Settings.fromEnv());
        } catch (Exception e) {
            log.error("control plane failed to start", e);
            System.err.println("edgeway control-plane failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cp::close, "edgeway-shutdown"));
        System.out.println("edgeway control-plane ready admin=" + (cp.settings.adminTls() == null ? "http" : "https") + "://" + cp.settings.adminAddress() + ":" + cp.adminPort()
                + " grpc=" + cp.settings.grpcAddress() + ":" + cp.grpcPort());
        System.out.flush();
    }

    /** Starts everything and returns once the admin API and gRPC accept connections. */
    public static ControlPlane start(Settings settings) throws IOException {
        return start(settings, System.getenv());
    }

    /**
     * Starts with {@code env} supplying the certificate master key (EDGEWAY_MASTER_KEY or
     * EDGEWAY_MASTER_KEY_FILE; else generated into {@code <dataDir>/master-key} on first use): see {@link MasterKey};
     * and EDGEWAY_REVISION_POLL, the period of the revision poll behind LISTEN/NOTIFY.
     */
    public static ControlPlane start(Settings settings, Map<String, String> env) throws IOException {
        requireNonNull(settings, "settings");
        MasterKey masterKey = MasterKey.from(env, settings.dataDir());
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            Database db = database(settings, resources);
            db.migrate();
            TokenStore tokens = new TokenStore(db);
            AdminTokens.bootstrap(settings, tokens);
            SnapshotCache cache = new SnapshotCache();
            SnapshotRefresher refresher = push(resources, new SnapshotRefresher(db, cache, masterKey));
            ControlPlaneMetrics metrics = new ControlPlaneMetrics();
            LongConsumer heard = revision -> {
                metrics.committed(revision); // the start of the push latency: commit (here) or its notification
                refresher.onRevision(revision);
            };
            RevisionLog revisions = new RevisionLog(db, heard, SnapshotCheck::verify);
            SessionTicketKeys ticketKeys = new SessionTicketKeys(revisions, masterKey);
            ticketKeys.ensureOne();
            NodeLedger ledger = new NodeLedger(Clock.systemUTC());
            // Before the first build: a control plane restarted mid-rollout must hold the other nodes back at once.
            RolloutStore rolloutStore = new RolloutStore(db);
            RolloutWatcher rolloutWatcher = new RolloutWatcher(rolloutStore, cache, ledger, Clock.systemUTC());
            refresher.beforeInstall(rolloutWatcher::refreshPlan);
            // Build before serving, so the first stream gets the current config, not an empty one.
            refresher.buildNow();
            push(resources, TicketKeyRotation.start(ticketKeys, TicketKeyRotation.period(env)));
            ConfigListener listener = push(resources, new ConfigListener(db, revisionPoll(env), heard).start());
            ledger.observe(metrics);
            FleetGauges.register(metrics, cache, ledger, db, listener);
            ControlChannelServer channel = ControlChannelServer.start(settings, env, db, ledger, cache, resources);
            Server grpc = channel.server();
            push(resources, () -> {
                // Streams never end on their own; proxies reconnect (to another replica) when cut.
                grpc.shutdownNow();
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            });
            push(resources, new io.edgeway.controlplane.discovery.FleetAckRecorder(ledger,
                    new io.edgeway.controlplane.store.FleetAcks(db), java.util.UUID.randomUUID().toString()).start());
            push(resources, new AcmeWorker(new AcmeStore(revisions, masterKey), new Convergence(ledger),
                    AcmeSettings.from(env), Clock.systemUTC()).start());
            RolloutActions rollouts = new RolloutActions(rolloutStore, new ConfigStore(revisions), new History(revisions),
                    rolloutWatcher::refreshPlan);
            push(resources, rolloutWatcher.start(rollouts, rolloutTick(env)));
            AdminApi api = new AdminApi(new UpstreamStore(revisions), new RouteStore(revisions), revisions, ledger, cache,
                    tokens, new IdempotencyStore(db), masterKey, channel.api(), metrics,
                    io.edgeway.controlplane.site.SiteLimits.from(env), rollouts);
            Javalin admin = settings.adminTls() == null ? api.app().start(settings.adminAddress(), settings.adminPort())
                    : api.app(AdminHttps.connector(settings.adminTls(), settings.adminAddress(), settings.adminPort())).start();
            push(resources, admin::stop);
            log.info("control plane started: admin {}:{} grpc {}:{} revision {}", settings.adminAddress(), admin.port(),
                    settings.grpcAddress(), grpc.getPort(), cache.version());
            return new ControlPlane(settings, cache, admin, grpc, refresher, resources);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** EDGEWAY_ROLLOUT_TICK: how often a baking canary rollout is checked (default 1s). */
    static Duration rolloutTick(Map<String, String> env) {
        String text = env.get("EDGEWAY_ROLLOUT_TICK");
        return text == null || text.isBlank() ? RolloutWatcher.DEFAULT_TICK : Durations.parse("EDGEWAY_ROLLOUT_TICK", text.trim());
    }

    /** EDGEWAY_REVISION_POLL: how often a replica reads the revision even without a NOTIFY (default 1s). */
    static Duration revisionPoll(Map<String, String> env) {
        String text = env.get("EDGEWAY_REVISION_POLL");
        return text == null || text.isBlank() ? ConfigListener.DEFAULT_POLL
                : Durations.parse("EDGEWAY_REVISION_POLL", text.trim());
    }

    private static Database database(Settings settings, Deque<AutoCloseable> resources) throws IOException {
        if (settings.dbUrl() != null) {
            return push(resources, new Database(settings.dbUrl(), settings.dbUser(), settings.dbPassword()));
        }
        var dir = settings.dataDir().resolve("postgres").toAbsolutePath();
        Files.createDirectories(dir);
        // Not cleaned: the data directory is the operator's data and must survive restarts.
        // Our own shutdown hook stops it after everything that uses it.
        EmbeddedPostgres pg = push(resources, EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .start());
        return push(resources, new Database(pg.getJdbcUrl("postgres", "postgres"), "postgres", null));
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> resources, T resource) {
        resources.push(resource);
        return resource;
    }

    /** The running admin app, for tests that walk its route table. */
    Javalin adminApp() {
        return admin;
    }

    public int adminPort() {
        return admin.port();
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    /** Tells {@code listener} where each snapshot build's time went (the fan-out bench's per-phase figures). */
    public void onSnapshotBuilt(java.util.function.Consumer<io.edgeway.controlplane.discovery.BuildPhases> listener) {
        refresher.onBuilt(listener);
    }

    /** The newest config version this replica serves. */
    public long version() {
        return cache.version();
    }

    @Override
    public void close() {
        synchronized (resources) {
            if (resources.isEmpty()) {
                return;
            }
            closeAll(resources);
        }
        log.info("control plane stopped");
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                log.warn("error while stopping", e);
            }
        }
    }
}
