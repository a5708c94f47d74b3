package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.PreparedSnapshot;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.dataplane.acme.AcmeChallenges;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.RequestValidator;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.routing.RouteTable;
import io.edgeway.dataplane.site.SiteBlobs;
import io.edgeway.dataplane.status.RouteMeters;
import io.edgeway.dataplane.tls.HttpsRedirect;
import io.javalin.http.Context;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/explain}: what a proxy would do with one request, and why. The latest snapshot is compiled
 * with the proxy's own compiler ({@link RuntimeConfig#from}, once per version), the request head goes through
 * the proxy's own validator ({@link RequestValidator}) and router ({@link RouteTable#explain}, the hot path's
 * matching loop with a trace), and the certificate through the SNI selector's lookup; the answer then follows
 * the order of the proxy's request handling: ACME challenge, route, https redirect, body limit, rate limit,
 * redirect action, static site, cache, upstream. Target health is what each node last reported.
 */
final class ExplainApi {
    private record Compiled(PreparedSnapshot snapshot, RuntimeConfig config) {}

    private final SnapshotCache cache;
    private final NodeLedger ledger;
    private volatile Compiled compiled;

    ExplainApi(SnapshotCache cache, NodeLedger ledger) {
        this.cache = requireNonNull(cache, "cache");
        this.ledger = requireNonNull(ledger, "ledger");
    }

    void handle(Context ctx) {
        ExplainRequest in = ExplainRequest.from(ctx);
        Node node = null;
        if (in.node() != null) {
            node = ledger.get(in.node());
            if (node == null) {
                throw new NotFoundException("node", in.node());
            }
        }
        Compiled c = config();
        RuntimeConfig config = c.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", ctx.queryParam("url"));
        out.put("method", in.method());
        out.put("version", config.version());
        if (node != null) {
            out.put("node", nodeView(node, config.version()));
        }
        HttpRequest req = in.head();
        Map<String, Object> request = new LinkedHashMap<>();
        out.put("request", request);
        request.put("host", RouteTable.normalizeHost(req.headers().get(HttpHeaderNames.HOST)));
        RequestValidator.Rejection rejection = RequestValidator.check(req); // normalises the target like the proxy
        request.put("target", req.uri());
        if (in.https()) {
            out.put("tls", ExplainRules.tls(config.tls(), in.host()));
        }
        if (rejection != null) {
            out.put("answer", answer(rejection.status().code(), "proxy", rejection.reason()));
            ctx.json(out);
            return;
        }
        if (!in.https() && AcmeChallenges.isChallenge(req.uri())) {
            boolean open = config.acme().answer(req.uri()) != null;
            out.put("answer", answer(open ? 200 : 404, "proxy", open ? "an open ACME HTTP-01 challenge, answered before any route"
                    : "the ACME challenge path is answered before any route, and no open challenge has this token"));
            ctx.json(out);
            return;
        }
        RouteTraceJson trace = new RouteTraceJson();
        RouteRule route = config.routes().explain(request.get("host").toString(), req.uri(), in.method(), trace);
        out.put("routing", trace.buckets());
        if (route == null) {
            out.put("route", null);
            out.put("answer", answer(404, "proxy", "no route matches this host and path"
                    + " (the buckets above were tried in order: exact host, wildcards longest first, then routes without hosts)"));
            ctx.json(out);
            return;
        }
        out.put("route", ExplainRules.route(route));
        out.put("rules", ExplainRules.rules(route, req));
        out.put("answer", outcome(route, req, in));
        if (route.upstream() != null) {
            out.put("upstream", ExplainRules.upstream(route.upstream(), req,
                    UpstreamHealthJson.of(route.upstream().name(), ledger), in.node()));
        }
        ctx.json(out);
    }

    /** The proxy's checks after routing, in its order; the first that answers is the answer. */
    private static Map<String, Object> outcome(RouteRule route, HttpRequest req, ExplainRequest in) {
        if (route.https().redirect() && !in.https()) {
            String location = HttpsRedirect.location(req.headers().get(HttpHeaderNames.HOST), req.uri(),
                    HttpsRedirect.EXTERNAL_PORT);
            return location == null ? answer(400, "proxy", "a redirect to https needs a valid Host header")
                    : withLocation(answer(308, "proxy", "the route redirects plain HTTP to https"), location);
        }
        if (route.maxBodyBytes() > 0 && HttpUtil.getContentLength(req, -1L) > route.maxBodyBytes()) {
            return answer(413, "proxy", "the declared Content-Length is over the route's max_body_bytes ("
                    + route.maxBodyBytes() + ")");
        }
        String limited = route.rateLimit() == null ? "" : " (unless over its rate limit: then 429)";
        if (route.actions() != null && route.actions().redirect() != null) {
            var r = route.actions().redirect();
            return withLocation(answer(r.status().code(), "proxy", "the route's redirect action" + limited),
                    r.location(req.uri(), route.paths()));
        }
        if (route.site() != null) {
            return answer(200, "site", "served from the files of site '" + route.site().name() + "'" + limited);
        }
        String cached = route.cache().enabled() ? ", or from the proxy's cache when it holds a fresh copy" : "";
        return answer(0, "upstream", "proxied to upstream '" + route.upstream().name() + "'" + cached + limited);
    }

    private static Map<String, Object> answer(int status, String by, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (status != 0) {
            m.put("status", status);
        }
        m.put("by", by);
        m.put("reason", reason);
        return m;
    }

    private static Map<String, Object> withLocation(Map<String, Object> answer, String location) {
        answer.put("location", location);
        return answer;
    }

    private static Map<String, Object> nodeView(Node node, long explained) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", node.id());
        m.put("connected", node.connected());
        m.put("applied_version", node.appliedVersion());
        m.put("runs_explained_version", node.appliedVersion() == explained);
        return m;
    }

    /** The latest snapshot, compiled by the proxy's compiler once per version (certificates are checked there). */
    private Compiled config() {
        PreparedSnapshot latest = cache.get();
        if (latest == null) {
            throw ApiException.unavailable("no config snapshot has been built yet; retry shortly");
        }
        Compiled c = compiled;
        if (c != null && c.snapshot() == latest) {
            return c;
        }
        try {
            c = new Compiled(latest, RuntimeConfig.from(latest.snapshot(), RuntimeConfig.NONE, RouteMeters.NONE,
                    SiteBlobs.ASSUMED_PRESENT));
        } catch (InvalidConfigException e) {
            // Every committed revision passed this compiler (SnapshotCheck), so this is a bug, not bad input.
            throw new IllegalStateException("the proxy compiler refuses snapshot " + latest.version() + ": " + e.errors(), e);
        }
        compiled = c;
        return c;
    }
}
