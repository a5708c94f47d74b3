package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.metrics.ControlPlaneMetrics;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.site.MissingBlobsException;
import io.edgeway.controlplane.site.SiteActivation;
import io.edgeway.controlplane.site.SiteLimits;
import io.edgeway.controlplane.site.SiteStore;
import io.edgeway.controlplane.site.SiteViews;
import io.edgeway.controlplane.cache.PurgeApi;
import io.edgeway.controlplane.store.CachePurgeStore;
import io.edgeway.controlplane.store.Actor;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.CertificateStore;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.EntityJson;
import io.edgeway.controlplane.store.History;
import io.edgeway.controlplane.store.IdempotencyMismatchException;
import io.edgeway.controlplane.store.IdempotencyStore;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.PreconditionFailedException;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.rollout.RolloutActions;
import io.edgeway.controlplane.store.RolloutStore;
import io.edgeway.controlplane.store.StoreException;
import io.edgeway.controlplane.store.StreamRouteStore;
import io.edgeway.controlplane.store.TokenStore;
import io.edgeway.controlplane.store.UpstreamStore;
import io.edgeway.controlplane.store.Written;
import io.javalin.Javalin;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin REST API and web UI: every route in one place, every error mapped once to problem+json. */
public final class AdminApi {
    public static final String REVISION_HEADER = "Edgeway-Revision";
    private static final String STARTED = "edgeway.started";
    static final String OPENAPI = "/io/edgeway/controlplane/openapi.yaml";
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final String UI_RESOURCES = "/io/edgeway/webadmin";
    /** Hikari gives up after 2.5 s and the listener retries within seconds: a client may try again soon. */
    private static final String RETRY_AFTER_SECONDS = "5";
    private static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at");

    private final UpstreamStore upstreams;
    private final RouteStore routes;
    private final RevisionLog revisions;
    private final NodeLedger ledger;
    private final SnapshotCache cache;
    private final Auth auth;
    private final TokensApi tokensApi;
    private final Idempotency idempotency;
    private final WaitForApplied waitForApplied;
    private final CertificateStore certificates;
    private final AcmeStore acme;
    private final CertificateView certificateView;
    private final CertificateExpiry certificateExpiry;
    private final StreamRouteStore streamRoutes;
    private final ConfigApi config;
    private final ControlChannelApi controlChannel;
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
        this.controlChannel = requireNonNull(controlChannel, "controlChannel");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.routes = requireNonNull(routes, "routes");
        this.revisions = requireNonNull(revisions, "revisions");
        this.ledger = requireNonNull(ledger, "ledger");
        this.cache = requireNonNull(cache, "cache");
        this.auth = new Auth(tokens);
        this.tokensApi = new TokensApi(tokens);
        this.idempotency = new Idempotency(idempotency);
        this.waitForApplied = new WaitForApplied(new Convergence(ledger));
        this.certificates = new CertificateStore(revisions, requireNonNull(masterKey, "masterKey"));
        this.acme = new AcmeStore(revisions, masterKey);
        this.certificateView = new CertificateView(acme);
        this.certificateExpiry = new CertificateExpiry(certificates, acme, java.time.Clock.systemUTC());
        this.streamRoutes = new StreamRouteStore(revisions);
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
    public Javalin app(java.util.function.Consumer<io.javalin.config.JavalinConfig> extra) {
        var upstreamApi = EntityApi.of(upstreams);
        var routeApi = EntityApi.of(routes);
        var certificateApi = EntityApi.of(certificates, certificateView::apply);
        var streamRouteApi = EntityApi.of(streamRoutes);
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

            c.routes.get("/api/v1/upstreams", ctx -> list(ctx, p -> upstreams.page(p.tags(), p.q(), p.fetch(), p.offset()), EntityJson::upstream));
            c.routes.post("/api/v1/upstreams", ctx -> idempotency.post(ctx, () -> answer(ctx, upstreams.create(RequestJson.upstream(body(ctx), null)), EntityJson::upstream)));
            c.routes.get("/api/v1/upstreams/{key}", ctx -> entity(ctx, upstreams.get(ctx.pathParam("key")), EntityJson::upstream));
            c.routes.put("/api/v1/upstreams/{key}", ctx -> put(ctx, upstreamApi));
            c.routes.patch("/api/v1/upstreams/{key}", ctx -> patch(ctx, upstreamApi));
            c.routes.get("/api/v1/upstreams/{key}/health", ctx -> ctx.json(UpstreamHealthJson.of(
                    upstreams.get(ctx.pathParam("key")).value().name(), ledger)));
            TargetsApi targets = new TargetsApi(upstreams);
            c.routes.get("/api/v1/upstreams/{key}/targets", targets::list);
            c.routes.post("/api/v1/upstreams/{key}/targets", ctx -> idempotency.post(ctx, () -> targets.add(ctx)));
            c.routes.put("/api/v1/upstreams/{key}/targets/{target}", targets::put);
            c.routes.delete("/api/v1/upstreams/{key}/targets/{target}", targets::delete);
            c.routes.delete("/api/v1/upstreams/{key}", ctx -> deleted(ctx, upstreams.delete(ctx.pathParam("key"), ifMatch(ctx))));

            c.routes.get("/api/v1/routes", ctx -> list(ctx, p -> routes.page(p.tags(), p.q(), p.fetch(), p.offset()), EntityJson::route));
            c.routes.post("/api/v1/routes", ctx -> idempotency.post(ctx, () -> answer(ctx, routes.create(RequestJson.route(body(ctx), null)), EntityJson::route)));
            c.routes.get("/api/v1/routes/{key}", ctx -> entity(ctx, routes.get(ctx.pathParam("key")), EntityJson::route));
            c.routes.put("/api/v1/routes/{key}", ctx -> put(ctx, routeApi));
            c.routes.patch("/api/v1/routes/{key}", ctx -> patch(ctx, routeApi));
            c.routes.delete("/api/v1/routes/{key}", ctx -> deleted(ctx, routes.delete(ctx.pathParam("key"), ifMatch(ctx))));

            // Stored and versioned, not yet pushed to the proxies (TLS termination and L4 proxying are later work).
            c.routes.get("/api/v1/certificates", ctx -> list(ctx, p -> certificates.page(p.tags(), p.q(), p.fetch(), p.offset()), certificateView::apply));
            c.routes.post("/api/v1/certificates", ctx -> idempotency.post(ctx, () -> {
                RequestJson.CertificateInput in = RequestJson.certificate(body(ctx), null);
                return answer(ctx, certificates.create(in.certificate(), in.privateKey()), certificateView::apply);
            }));
            c.routes.get("/api/v1/certificates/{key}", ctx -> entity(ctx, certificates.get(ctx.pathParam("key")), certificateView::apply));
            c.routes.get("/api/v1/certificate-expiry", certificateExpiry::handle);
            c.routes.post("/api/v1/certificates/{key}/renew", ctx -> {
                var cert = certificates.get(ctx.pathParam("key"));
                if (!acme.requestRenewal(cert.value().name())) {
                    throw new io.edgeway.controlplane.model.ValidationException("acme", "acme: missing (certificate "
                            + cert.value().name() + " is uploaded, not managed; expected: a certificate with acme)");
                }
                ctx.status(202);
                entity(ctx, certificates.get(cert.value().name()), certificateView::apply);
            });
            c.routes.put("/api/v1/certificates/{key}", ctx -> put(ctx, certificateApi));
            c.routes.delete("/api/v1/certificates/{key}", ctx -> deleted(ctx, certificates.delete(ctx.pathParam("key"), ifMatch(ctx))));

            PurgeApi purges = new PurgeApi(new CachePurgeStore(revisions), ledger);
            c.routes.post("/api/v1/cache/purge", purges::create);
            c.routes.get("/api/v1/cache/purges/{id}", purges::get);
            c.routes.get("/api/v1/stream-routes", ctx -> list(ctx, p -> streamRoutes.page(p.tags(), p.q(), p.fetch(), p.offset()), EntityJson::streamRoute));
            c.routes.post("/api/v1/stream-routes", ctx -> idempotency.post(ctx, () -> answer(ctx,
                    streamRoutes.create(RequestJson.streamRoute(body(ctx), null)), EntityJson::streamRoute)));
            c.routes.get("/api/v1/stream-routes/{key}", ctx -> entity(ctx, streamRoutes.get(ctx.pathParam("key")), EntityJson::streamRoute));
            c.routes.put("/api/v1/stream-routes/{key}", ctx -> put(ctx, streamRouteApi));
            c.routes.delete("/api/v1/stream-routes/{key}", ctx -> deleted(ctx, streamRoutes.delete(ctx.pathParam("key"), ifMatch(ctx))));

            // What a proxy would do with one request, by the proxy's own compiled routing (issue 22).
            c.routes.get("/api/v1/explain", new ExplainApi(cache, ledger)::handle);
            c.routes.get("/api/v1/metrics/routes", ctx -> ctx.json(FleetApi.routes(ledger.load(), ctx.queryParam("window"))));
            c.routes.get("/api/v1/metrics/routes/history", new FleetHistoryApi(ledger.load())::handle);
            c.routes.get("/api/v1/nodes", ctx -> ctx.json(Page.of(ctx).slice(ledger.list(), this::node)));
            c.routes.delete("/api/v1/nodes/{id}", controlChannel::revokeNode);
            c.routes.get("/api/v1/join-tokens", controlChannel::list);
            c.routes.post("/api/v1/join-tokens", controlChannel::create);
            c.routes.delete("/api/v1/join-tokens/{name}", controlChannel::delete);

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

            c.routes.exception(ApiException.class, (e, ctx) -> {
                if (e.status() == 401) {
                    ctx.header("WWW-Authenticate", "Bearer realm=\"edgeway\"");
                }
                problem(ctx, e.status(), e.type(), e.title(), e.getMessage(), e.errors());
            });
            c.routes.exception(ValidationException.class, (e, ctx) ->
                    problem(ctx, 422, "invalid-input", "Invalid input", e.getMessage(), e.errors()));
            c.routes.exception(ConflictException.class, (e, ctx) ->
                    problem(ctx, 409, "conflict", "Conflict", e.getMessage(), List.of(new FieldError(e.field(), e.getMessage()))));
            c.routes.exception(PreconditionFailedException.class, (e, ctx) ->
                    problem(ctx, 412, "precondition-failed", "Precondition failed", e.getMessage(), List.of(new FieldError("If-Match", e.getMessage()))));
            c.routes.exception(IdempotencyMismatchException.class, (e, ctx) ->
                    problem(ctx, 422, "idempotency-key-reused", "Idempotency key reused", e.getMessage(),
                            List.of(new FieldError("Idempotency-Key", e.getMessage()))));
            c.routes.exception(MissingBlobsException.class, (e, ctx) ->
                    problem(ctx, 409, "missing-blobs", "Files not uploaded", e.getMessage(), e.missing().stream()
                            .map(h -> new FieldError("missing", h + ": not uploaded")).toList()));
            c.routes.exception(NotFoundException.class, (e, ctx) -> problem(ctx, 404, "not-found", "Not found", e.getMessage(), List.of()));
            // Javalin's own refusals (body too large, ...) keep their 4xx status and speak problem+json too.
            c.routes.exception(HttpResponseException.class, (e, ctx) ->
                    problem(ctx, e.getStatus(), "http-" + e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(),
                            e.getMessage(), e.getStatus() == 413
                                    ? List.of(new FieldError("body", "body: too large (" + e.getMessage() + ")"))
                                    : List.of()));
            c.routes.exception(StoreException.class, (e, ctx) -> {
                // One line per request: during an outage every request fails the same way, and the listener
                // already logs the cause; the stack trace is only worth keeping at debug.
                log.warn("database unavailable serving {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                log.debug("database failure", e);
                ctx.header("Retry-After", RETRY_AFTER_SECONDS);
                problem(ctx, 503, "database-unavailable", "Database unavailable", "the database could not be reached; retry", List.of());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "internal-error", "Internal error", "unexpected failure; see the control plane log", List.of());
            });
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

    /** PUT: replaces the entity the key names, or creates it under that name (201). */
    private static <T> void put(Context ctx, EntityApi<T> e) {
        String key = ctx.pathParam("key");
        ObjectNode body = body(ctx);
        String defaultName = body.hasNonNull("name") ? null : nameFor(key, k -> e.name().apply(e.get().apply(k).value()));
        answer(ctx, e.put().apply(key, body, defaultName, ifMatch(ctx)), e.view());
    }

    /** PATCH: the patch merged into the entity as the API shows it, then written as a PUT of the whole. */
    private static <T> void patch(Context ctx, EntityApi<T> e) {
        ObjectNode patch = body(ctx);
        Stored<T> existing = e.get().apply(ctx.pathParam("key"));
        ObjectNode merged = merge(e.view().apply(existing), patch);
        answer(ctx, e.put().apply(existing.id().toString(), merged, null, patchPrecondition(ctx, existing)), e.view());
    }

    /** PUT without a name keeps the entity's name: the path's name, or the current name when the path is an id. */
    private static String nameFor(String key, Function<String, String> currentName) {
        return looksLikeId(key) ? currentName.apply(key) : key;
    }

    private static boolean looksLikeId(String key) {
        return key.length() == 36 && key.chars().filter(ch -> ch == '-').count() == 4;
    }

    /** A top-level merge: fields in the patch replace the stored ones, null removes one (back to its default). */
    private static ObjectNode merge(Map<String, Object> current, ObjectNode patch) {
        ObjectNode merged = RequestJson.MAPPER.valueToTree(current);
        merged.remove(READ_ONLY);
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        });
        return merged;
    }

    private static ObjectNode body(Context ctx) {
        return RequestJson.object(ctx.header("Content-Type"), ctx.bodyAsBytes());
    }

    /** Answers a write of one entity; returns what was sent, so an Idempotency-Key can replay it. */
    private static <T extends Stored<?>> IdempotencyStore.Saved answer(Context ctx, Written<T> written, Function<T, Map<String, Object>> view) {
        int status = written.created() ? 201 : 200;
        String body = json(view.apply(written.value()));
        ctx.header(REVISION_HEADER, Long.toString(written.revision()));
        ctx.header("ETag", written.value().etag());
        ctx.status(status).contentType("application/json").result(body);
        return new IdempotencyStore.Saved(status, body, written.revision());
    }

    private static <T extends Stored<?>> void entity(Context ctx, T stored, Function<T, Map<String, Object>> view) {
        ctx.header("ETag", stored.etag());
        ctx.json(view.apply(stored));
    }

    private static <T> void list(Context ctx, Function<Page, List<T>> fetch, Function<T, Map<String, Object>> view) {
        Page page = Page.of(ctx);
        ctx.json(page.body(fetch.apply(page), view));
    }

    private static String ifMatch(Context ctx) {
        return ctx.header("If-Match");
    }

    /** A PATCH merges into what it read outside the write: without If-Match, that version must still be current. */
    private static String patchPrecondition(Context ctx, Stored<?> read) {
        String given = ifMatch(ctx);
        return given != null ? given : read.etag();
    }

    private void openapi(Context ctx) throws java.io.IOException {
        try (var in = AdminApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " missing from the jar");
            }
            ctx.contentType("application/yaml").result(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    static String json(Object value) {
        try {
            return RequestJson.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("response body not serializable", e);
        }
    }

    private static void deleted(Context ctx, Written<Void> written) {
        ctx.header(REVISION_HEADER, Long.toString(written.revision()));
        ctx.status(204);
    }

    private Map<String, Object> node(Node n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("address", n.address());
        m.put("connected", n.connected());
        m.put("draining", n.draining());
        m.put("applied_version", n.appliedVersion());
        m.put("rejected_version", n.rejectedVersion());
        m.put("last_error", n.lastError());
        m.put("quarantined", n.quarantined()); // issue 22: [{kind,name,field,message}] left out of applied_version
        m.put("last_seen", n.lastSeen().toString());
        m.put("labels", n.labels());
        // During a canary rollout a node outside the canary should still run the previous revision.
        m.put("desired_version", cache.versionFor(n.id(), n.labels()));
        m.put("canary", cache.plan().open() && cache.plan().isCanary(n.id(), n.labels()));
        m.put("stream_id", n.streamId()); // changes at every reconnect: shows whether a stream survived (e.g. a renewal)
        ControlChannelApi.identity(m, ledger.identity(n.id()));
        m.put("load", FleetApi.nodeLoad(ledger.load(), n.id()));
        return m;
    }

    private static Map<String, Object> data(List<?> items) {
        return Map.of("data", items);
    }

    private static void problem(Context ctx, int status, String type, String title, String detail, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:edgeway:problem:" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        }
        ctx.status(status).contentType("application/problem+json").result(json(body));
    }
}
