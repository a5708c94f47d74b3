package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.metrics.ControlPlaneMetrics;
import io.edgeway.controlplane.rollout.RolloutActions;
import io.edgeway.controlplane.site.SiteActivation;
import io.edgeway.controlplane.site.SiteLimits;
import io.edgeway.controlplane.site.SiteStore;
import io.edgeway.controlplane.site.SiteViews;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.Actor;
import io.edgeway.controlplane.store.CertificateStore;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.History;
import io.edgeway.controlplane.store.IdempotencyStore;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.RolloutStore;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.store.TokenStore;
import io.edgeway.controlplane.store.UpstreamStore;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The admin REST API and web UI, built in one place: the filters every request passes, the route groups
 * ({@link EntityRoutes}, {@link FleetRoutes} and the API classes listed below), every error mapped once to
 * problem+json ({@link Problems}).
 */
public final class AdminApi {
    public static final String REVISION_HEADER = "Edgeway-Revision";
    private static final String STARTED = "edgeway.started";
    static final String OPENAPI = "/io/edgeway/controlplane/openapi.yaml";
    private static final String UI_RESOURCES = "/io/edgeway/webadmin";

    private final RevisionLog revisions;
    private final Auth auth;
    private final TokensApi tokensApi;
    private final WaitForApplied waitForApplied;
    private final EntityRoutes entities;
    private final FleetRoutes fleet;
    private final ConfigApi config;
    private final ControlPlaneMetrics metrics;
    private final SitesApi sites;
    private final RolloutApi rollouts;

    public AdminApi(UpstreamStore upstreams, RouteStore routes, RevisionLog revisions, NodeLedger ledger, SnapshotCache cache,
                    TokenStore tokens, IdempotencyStore idempotency, MasterKey masterKey, ControlChannelApi controlChannel,
                    ControlPlaneMetrics metrics) {
        this(upstreams, routes, revisions, ledger, cache, tokens, idempotency, masterKey, controlChannel, metrics,
                SiteLimits.DEFAULTS);
    }

    /** {@code siteLimits}: how large a static site's files and deployments may be. */
    public AdminApi(UpstreamStore upstreams, RouteStore routes, RevisionLog revisions, NodeLedger ledger, SnapshotCache cache,
                    TokenStore tokens, IdempotencyStore idempotency, MasterKey masterKey, ControlChannelApi controlChannel,
                    ControlPlaneMetrics metrics, SiteLimits siteLimits) {
        this(upstreams, routes, revisions, ledger, cache, tokens, idempotency, masterKey, controlChannel, metrics, siteLimits,
                new RolloutActions(new RolloutStore(revisions.db()), new ConfigStore(revisions), new History(revisions), () -> { }));
    }

    /** {@code rollouts}: the canary rollouts' moves (the watcher that decides them runs beside the API). */
    public AdminApi(UpstreamStore upstreams, RouteStore routes, RevisionLog revisions, NodeLedger ledger, SnapshotCache cache,
                    TokenStore tokens, IdempotencyStore idempotency, MasterKey masterKey, ControlChannelApi controlChannel,
                    ControlPlaneMetrics metrics, SiteLimits siteLimits, RolloutActions rollouts) {
        this.rollouts = new RolloutApi(requireNonNull(rollouts, "rollouts"), ledger, cache);
        SiteStore siteStore = new SiteStore(revisions.db(), siteLimits);
        this.sites = new SitesApi(siteStore, new SiteActivation(revisions, siteStore), new SiteViews(revisions.db()));
        this.metrics = requireNonNull(metrics, "metrics");
        this.revisions = requireNonNull(revisions, "revisions");
        this.auth = new Auth(tokens);
        this.tokensApi = new TokensApi(tokens);
        this.waitForApplied = new WaitForApplied(new Convergence(ledger));
        this.entities = new EntityRoutes(upstreams, routes,
                new CertificateStore(revisions, requireNonNull(masterKey, "masterKey")), new AcmeStore(revisions, masterKey),
                revisions, ledger, new Idempotency(idempotency));
        this.fleet = new FleetRoutes(ledger, cache, controlChannel);
        this.config = new ConfigApi(new ConfigStore(revisions), masterKey);
    }

    /** The largest whole-config document POST /api/v1/config takes. */
    static final long CONFIG_DOCUMENT_MAX_BYTES = 64L * 1024 * 1024;
    /** The largest body any other endpoint takes: an entity, a token, a join request. */
    static final long ENTITY_BODY_MAX_BYTES = 1024L * 1024;
    static final String CONFIG_PATH = "/api/v1/config";

    /** The Javalin app, not yet started. */
    public Javalin app() {
        return app(c -> { });
    }

    /** The Javalin app with {@code extra} applied to its config first (e.g. an HTTPS connector). */
    public Javalin app(Consumer<JavalinConfig> extra) {
        return Javalin.create(c -> {
            extra.accept(c);
            c.startup.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(RequestJson.MAPPER, false));
            if (AdminApi.class.getResource(UI_RESOURCES) != null) {
                c.staticFiles.add(sf -> {
                    sf.hostedPath = "/";
                    sf.directory = UI_RESOURCES;
                    sf.location = Location.CLASSPATH;
                });
            }
            // Before anything else, static files included; CORS stays off (no plugin), so browsers on other
            // origins cannot read the API with an operator's token.
            // First of all, so even a refused request is timed and counted.
            c.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            c.routes.before(SecurityHeaders::apply);
            c.routes.before(auth::check);
            // Every body is capped at ENTITY_BODY_MAX_BYTES: Javalin's limit applies whenever a handler reads the body,
            // declared (Content-Length) or chunked. Only POST /api/v1/config, whose document carries every
            // certificate with its key (10,000 of them are ~15 MB), reads its own body up to
            // CONFIG_DOCUMENT_MAX_BYTES (ConfigApi), so no other endpoint buffers more than 1 MiB.
            // A declared length over the limit is refused before a byte is read (and before any 100 Continue):
            // reading up to the limit first and then closing on the rest of the body can reset the connection
            // before the client reads the 413.
            c.http.maxRequestSize = ENTITY_BODY_MAX_BYTES;
            c.routes.before(ctx -> {
                long limit = ctx.path().equals(CONFIG_PATH) ? CONFIG_DOCUMENT_MAX_BYTES
                        : sites.bodyLimit(ctx.method().name(), ctx.path(), ENTITY_BODY_MAX_BYTES);
                if (ctx.req().getContentLengthLong() > limit) {
                    throw new ContentTooLargeResponse("body of " + ctx.req().getContentLengthLong()
                            + " bytes (expected: at most " + limit + ")");
                }
            });
            c.routes.before(waitForApplied::parse);
            c.routes.before(RolloutParams::parse);
            c.routes.after(ctx -> Actor.set(null));
            c.routes.after(RolloutParams::clear);
            c.routes.after(waitForApplied::await);
            c.routes.after(this::count);
            c.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
            c.routes.get("/metrics", this::metricsPage);
            c.routes.get("/api/v1/openapi.yaml", this::openapi);

            entities.register(c);
            fleet.register(c);

            // Declarative config and history live in their own classes; only the routes are listed here.
            RevisionApi history = new RevisionApi(new History(revisions), new ConfigStore(revisions));
            c.routes.get(CONFIG_PATH, config::export);
            c.routes.post(CONFIG_PATH, config::apply);
            c.routes.get("/api/v1/revisions", history::list);
            c.routes.get("/api/v1/revisions/{n}", history::get);
            c.routes.post("/api/v1/revisions/{n}/rollback", history::rollback);

            // Static sites: blobs first (a literal segment, so no site is named "blobs"), then per site.
            c.routes.put("/api/v1/sites/blobs/{sha256}", sites::putBlob);
            c.routes.get("/api/v1/sites", sites::list);
            c.routes.get("/api/v1/sites/{name}", sites::get);
            c.routes.delete("/api/v1/sites/{name}", sites::delete);
            c.routes.post("/api/v1/sites/{name}/deployments", sites::createDeployment);
            c.routes.get("/api/v1/sites/{name}/deployments", sites::deployments);
            c.routes.get("/api/v1/sites/{name}/deployments/{id}", sites::deployment);
            c.routes.post("/api/v1/sites/{name}/deployments/{id}/activate", sites::activate);
            c.routes.post("/api/v1/sites/{name}/rollback", sites::rollback);
            c.routes.get("/api/v1/sites/{name}/diff", sites::diff);

            c.routes.get("/api/v1/rollouts", rollouts::list);
            c.routes.get("/api/v1/rollouts/{id}", rollouts::get);
            c.routes.post("/api/v1/rollouts/{id}/pause", rollouts::pause);
            c.routes.post("/api/v1/rollouts/{id}/resume", rollouts::resume);
            c.routes.post("/api/v1/rollouts/{id}/promote", rollouts::promote);
            c.routes.post("/api/v1/rollouts/{id}/abort", rollouts::abort);

            c.routes.get("/api/v1/tokens", tokensApi::list);
            c.routes.post("/api/v1/tokens", tokensApi::create);
            c.routes.delete("/api/v1/tokens/{name}", tokensApi::delete);

            Problems.register(c);
        });
    }

    /** The request's endpoint template (never its raw path, so the label stays bounded), method, status, time. */
    private void count(Context ctx) {
        Long started = ctx.attribute(STARTED);
        String endpoint = "unmatched";
        try {
            var e = ctx.endpoints().matchedHttpEndpoint();
            if (e != null) {
                endpoint = e.path;
            }
        } catch (RuntimeException ignored) {
            // no HTTP endpoint matched (a static file, a 404, a refusal before routing)
        }
        metrics.apiRequest(ctx.method().name(), endpoint, ctx.statusCode(),
                started == null ? 0 : System.nanoTime() - started);
    }

    private void metricsPage(Context ctx) {
        ControlPlaneMetrics.Page page = metrics.render(ctx.header("Accept"));
        ctx.contentType(page.contentType()).result(page.body());
    }

    private void openapi(Context ctx) throws IOException {
        try (var in = AdminApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " missing from the jar");
            }
            ctx.contentType("application/yaml").result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Kept here for the API classes that write JSON outside a handler's ctx.json (audit lines, replays). */
    static String json(Object value) {
        return Answers.json(value);
    }
}
