package io.edgeway.controlplane.api;

import static io.edgeway.controlplane.api.Answers.answer;
import static io.edgeway.controlplane.api.Answers.body;
import static io.edgeway.controlplane.api.Answers.deleted;
import static io.edgeway.controlplane.api.Answers.entity;
import static io.edgeway.controlplane.api.Answers.ifMatch;
import static io.edgeway.controlplane.api.Answers.list;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.cache.PurgeApi;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.CachePurgeStore;
import io.edgeway.controlplane.store.CertificateStore;
import io.edgeway.controlplane.store.EntityJson;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.store.StreamRouteStore;
import io.edgeway.controlplane.store.UpstreamStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The configuration entities' routes: upstreams (with their targets and health), routes, certificates,
 * stream routes and cache purges. Each kind has the same list/create/get/PUT/PATCH/DELETE shape.
 */
final class EntityRoutes {
    private static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at");

    private final UpstreamStore upstreams;
    private final RouteStore routes;
    private final CertificateStore certificates;
    private final AcmeStore acme;
    private final CertificateView certificateView;
    private final CertificateExpiry certificateExpiry;
    private final StreamRouteStore streamRoutes;
    private final RevisionLog revisions;
    private final NodeLedger ledger;
    private final Idempotency idempotency;

    EntityRoutes(UpstreamStore upstreams, RouteStore routes, CertificateStore certificates, AcmeStore acme,
                 RevisionLog revisions, NodeLedger ledger, Idempotency idempotency) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.routes = requireNonNull(routes, "routes");
        this.certificates = requireNonNull(certificates, "certificates");
        this.acme = requireNonNull(acme, "acme");
        this.certificateView = new CertificateView(acme);
        this.certificateExpiry = new CertificateExpiry(certificates, acme, Clock.systemUTC());
        this.streamRoutes = new StreamRouteStore(revisions);
        this.revisions = requireNonNull(revisions, "revisions");
        this.ledger = requireNonNull(ledger, "ledger");
        this.idempotency = requireNonNull(idempotency, "idempotency");
    }

    void register(JavalinConfig c) {
        var upstreamApi = EntityApi.of(upstreams);
        var routeApi = EntityApi.of(routes);
        var certificateApi = EntityApi.of(certificates, certificateView);
        var streamRouteApi = EntityApi.of(streamRoutes);

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

        c.routes.get("/api/v1/certificates", ctx -> list(ctx, p -> certificates.page(p.tags(), p.q(), p.fetch(), p.offset()), certificateView::apply));
        c.routes.post("/api/v1/certificates", ctx -> idempotency.post(ctx, () -> {
            RequestJson.CertificateInput in = RequestJson.certificate(body(ctx), null);
            return answer(ctx, certificates.create(in.certificate(), in.privateKey()), certificateView::apply,
                    certificateView::etag);
        }));
        c.routes.get("/api/v1/certificates/{key}", ctx -> entity(ctx, certificates.get(ctx.pathParam("key")), certificateView::apply,
                certificateView::etag));
        c.routes.get("/api/v1/certificate-expiry", certificateExpiry::handle);
        c.routes.post("/api/v1/certificates/{key}/renew", this::renew);
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
    }

    /** Only an ACME-managed certificate can be renewed on request: 202, the ACME worker picks it up. */
    private void renew(Context ctx) {
        var cert = certificates.get(ctx.pathParam("key"));
        if (!acme.requestRenewal(cert.value().name())) {
            throw new ValidationException("acme", "acme: missing (certificate "
                    + cert.value().name() + " is uploaded, not managed; expected: a certificate with acme)");
        }
        ctx.status(202);
        entity(ctx, certificates.get(cert.value().name()), certificateView::apply, certificateView::etag);
    }

    /** PUT: replaces the entity the key names, or creates it under that name (201). */
    private static <T> void put(Context ctx, EntityApi<T> e) {
        String key = ctx.pathParam("key");
        ObjectNode body = body(ctx);
        String defaultName = body.hasNonNull("name") ? null : nameFor(key, k -> e.name().apply(e.get().apply(k).value()));
        answer(ctx, e.put().apply(key, body, defaultName, ifMatch(ctx)), e.view(), e.etag());
    }

    /** PATCH: the patch merged into the entity as the API shows it, then written as a PUT of the whole. */
    private static <T> void patch(Context ctx, EntityApi<T> e) {
        ObjectNode patch = body(ctx);
        Stored<T> existing = e.get().apply(ctx.pathParam("key"));
        ObjectNode merged = merge(e.view().apply(existing), patch);
        answer(ctx, e.put().apply(existing.id().toString(), merged, null, Answers.patchPrecondition(ctx, existing)), e.view(),
                e.etag());
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
}
