package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.EntityJson;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.store.StoreException;
import io.edgeway.controlplane.store.UpstreamStore;
import io.edgeway.controlplane.store.Written;
import io.javalin.Javalin;
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
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final String UI_RESOURCES = "/io/edgeway/webadmin";
    private static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at");

    private final UpstreamStore upstreams;
    private final RouteStore routes;
    private final RevisionLog revisions;
    private final NodeLedger ledger;
    private final SnapshotCache cache;

    public AdminApi(UpstreamStore upstreams, RouteStore routes, RevisionLog revisions, NodeLedger ledger, SnapshotCache cache) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.routes = requireNonNull(routes, "routes");
        this.revisions = requireNonNull(revisions, "revisions");
        this.ledger = requireNonNull(ledger, "ledger");
        this.cache = requireNonNull(cache, "cache");
    }

    /** The Javalin app, not yet started. */
    public Javalin app() {
        return Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(RequestJson.MAPPER, false));
            if (AdminApi.class.getResource(UI_RESOURCES) != null) {
                c.staticFiles.add(sf -> {
                    sf.hostedPath = "/";
                    sf.directory = UI_RESOURCES;
                    sf.location = Location.CLASSPATH;
                });
            }
            c.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));

            c.routes.get("/api/v1/upstreams", ctx -> ctx.json(data(upstreams.list().stream().map(EntityJson::upstream).toList())));
            c.routes.post("/api/v1/upstreams", ctx -> answer(ctx, upstreams.create(RequestJson.upstream(body(ctx), null)), EntityJson::upstream));
            c.routes.get("/api/v1/upstreams/{key}", ctx -> ctx.json(EntityJson.upstream(upstreams.get(ctx.pathParam("key")))));
            c.routes.put("/api/v1/upstreams/{key}", this::putUpstream);
            c.routes.patch("/api/v1/upstreams/{key}", this::patchUpstream);
            c.routes.get("/api/v1/upstreams/{key}/health", ctx -> ctx.json(UpstreamHealthJson.of(
                    upstreams.get(ctx.pathParam("key")).value().name(), ledger)));
            c.routes.delete("/api/v1/upstreams/{key}", ctx -> deleted(ctx, upstreams.delete(ctx.pathParam("key"))));

            c.routes.get("/api/v1/routes", ctx -> ctx.json(data(routes.list().stream().map(EntityJson::route).toList())));
            c.routes.post("/api/v1/routes", ctx -> answer(ctx, routes.create(RequestJson.route(body(ctx), null)), EntityJson::route));
            c.routes.get("/api/v1/routes/{key}", ctx -> ctx.json(EntityJson.route(routes.get(ctx.pathParam("key")))));
            c.routes.put("/api/v1/routes/{key}", this::putRoute);
            c.routes.patch("/api/v1/routes/{key}", this::patchRoute);
            c.routes.delete("/api/v1/routes/{key}", ctx -> deleted(ctx, routes.delete(ctx.pathParam("key"))));

            c.routes.get("/api/v1/nodes", ctx -> ctx.json(data(ledger.list().stream().map(this::node).toList())));
            c.routes.get("/api/v1/revisions", ctx -> ctx.json(data(revisions.latest(100))));

            c.routes.exception(ApiException.class, (e, ctx) -> problem(ctx, e.status(), e.type(), e.title(), e.getMessage(), e.errors()));
            c.routes.exception(ValidationException.class, (e, ctx) ->
                    problem(ctx, 422, "invalid-input", "Invalid input", e.getMessage(), e.errors()));
            c.routes.exception(ConflictException.class, (e, ctx) ->
                    problem(ctx, 409, "conflict", "Conflict", e.getMessage(), List.of(new FieldError(e.field(), e.getMessage()))));
            c.routes.exception(NotFoundException.class, (e, ctx) -> problem(ctx, 404, "not-found", "Not found", e.getMessage(), List.of()));
            // Javalin's own refusals (body too large, ...) keep their 4xx status and speak problem+json too.
            c.routes.exception(HttpResponseException.class, (e, ctx) ->
                    problem(ctx, e.getStatus(), "http-" + e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(),
                            e.getMessage(), List.of()));
            c.routes.exception(StoreException.class, (e, ctx) -> {
                log.error("database failure serving {} {}", ctx.method(), ctx.path(), e);
                problem(ctx, 503, "database-unavailable", "Database unavailable", "the database could not be reached; retry", List.of());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "internal-error", "Internal error", "unexpected failure; see the control plane log", List.of());
            });
        });
    }

    private void putUpstream(Context ctx) {
        String key = ctx.pathParam("key");
        ObjectNode body = body(ctx);
        String defaultName = body.hasNonNull("name") ? null : nameFor(key, k -> upstreams.get(k).value().name());
        answer(ctx, upstreams.put(key, RequestJson.upstream(body, defaultName)), EntityJson::upstream);
    }

    private void patchUpstream(Context ctx) {
        ObjectNode patch = body(ctx);
        var existing = upstreams.get(ctx.pathParam("key"));
        ObjectNode merged = merge(EntityJson.upstream(existing), patch);
        answer(ctx, upstreams.put(existing.id().toString(), RequestJson.upstream(merged, null)), EntityJson::upstream);
    }

    private void putRoute(Context ctx) {
        String key = ctx.pathParam("key");
        ObjectNode body = body(ctx);
        String defaultName = body.hasNonNull("name") ? null : nameFor(key, k -> routes.get(k).value().name());
        answer(ctx, routes.put(key, RequestJson.route(body, defaultName)), EntityJson::route);
    }

    private void patchRoute(Context ctx) {
        ObjectNode patch = body(ctx);
        var existing = routes.get(ctx.pathParam("key"));
        ObjectNode merged = merge(EntityJson.route(existing), patch);
        answer(ctx, routes.put(existing.id().toString(), RequestJson.route(merged, null)), EntityJson::route);
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
        return RequestJson.object(ctx.header("Content-Type"), ctx.body());
    }

    private static <T> void answer(Context ctx, Written<T> written, Function<T, Map<String, Object>> view) {
        ctx.header(REVISION_HEADER, Long.toString(written.revision()));
        ctx.status(written.created() ? 201 : 200);
        ctx.json(view.apply(written.value()));
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
        m.put("applied_version", n.appliedVersion());
        m.put("rejected_version", n.rejectedVersion());
        m.put("last_error", n.lastError());
        m.put("last_seen", n.lastSeen().toString());
        m.put("labels", n.labels());
        m.put("desired_version", cache.version());
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
        try {
            ctx.status(status).contentType("application/problem+json").result(RequestJson.MAPPER.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("problem body not serializable", e);
        }
    }
}
