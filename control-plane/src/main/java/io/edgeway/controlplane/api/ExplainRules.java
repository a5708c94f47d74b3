package io.edgeway.controlplane.api;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.HashKey;
import io.edgeway.dataplane.balancing.HealthPolicy;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.cache.RouteCache;
import io.edgeway.dataplane.compress.Algorithm;
import io.edgeway.dataplane.limits.RateLimitSpec;
import io.edgeway.dataplane.rewrite.HeaderEdits;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.tls.SniExplanation;
import io.edgeway.dataplane.tls.TlsCertificates;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The parts of an explanation read off the compiled config: the route, its rules, its upstream, the certificate. */
final class ExplainRules {
    private ExplainRules() {}

    static Map<String, Object> route(RouteRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("hosts", r.hosts());
        m.put("paths", r.paths());
        m.put("methods", r.methods().stream().sorted().toList());
        return m;
    }

    /** Every rule of the route that applies to this request, whether or not it decides the answer. */
    static Map<String, Object> rules(RouteRule r, HttpRequest req) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("https_redirect", r.https().redirect());
        m.put("hsts", r.https().hsts() == null ? null : r.https().hsts().toString());
        m.put("max_body_bytes", r.maxBodyBytes() > 0 ? r.maxBodyBytes() : null);
        m.put("rate_limit", rateLimit(r.rateLimit(), req));
        m.put("cache", cache(r.cache(), req));
        RouteActions a = r.actions();
        m.put("redirect", a == null || a.redirect() == null ? null : Map.of("status", a.redirect().status().code(),
                "location", a.redirect().location(req.uri(), r.paths())));
        m.put("rewrite", a == null || a.rewrite() == null ? null : Map.of("prefix", a.rewrite().prefix(),
                "replace", a.rewrite().replace(), "target_becomes", a.rewrite().apply(req.uri())));
        m.put("request_headers", a == null ? null : headers(a.requestHeaders()));
        m.put("response_headers", a == null ? null : headers(a.responseHeaders()));
        if (a != null && a.compression() != null) {
            Algorithm chosen = a.compression().negotiate(req.headers());
            m.put("compression", Map.of("on", true, "for_this_accept_encoding",
                    chosen == null ? "identity" : chosen.name().toLowerCase(Locale.ROOT)));
        } else {
            m.put("compression", null);
        }
        m.put("site", r.site() == null ? null : Map.of("name", r.site().name(), "spa", r.site().spa()));
        m.put("timeouts_ms", Map.of("connect", r.timeouts().connectMs(), "first_byte", r.timeouts().firstByteMs(),
                "idle", r.timeouts().idleMs()));
        m.put("access_log_sample", r.accessLogSample());
        return m;
    }

    private static Map<String, Object> rateLimit(RateLimitSpec l, HttpRequest req) {
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", l.requests());
        m.put("per_seconds", l.perSeconds());
        m.put("burst", l.burst());
        m.put("by", l.by().name().toLowerCase(Locale.ROOT));
        if (l.by() == RateLimitSpec.By.HEADER) {
            m.put("header", l.header().toString());
            String v = req.headers().get(l.header());
            m.put("key_for_this_request", v); // null: the request would count against the bucket of requests without it
        }
        m.put("fleet_wide", l.fleet());
        return m;
    }

    private static Map<String, Object> cache(RouteCache c, HttpRequest req) {
        if (!c.enabled()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_object_bytes", c.maxObjectBytes());
        m.put("default_ttl_ms", c.defaultTtlMs());
        Map<String, Object> keys = new LinkedHashMap<>();
        c.keyHeaders().forEach(h -> keys.put(h, req.headers().get(h)));
        m.put("key_headers", keys);
        m.put("lock_timeout_ms", c.lockTimeoutMs());
        return m;
    }

    private static Map<String, Object> headers(HeaderEdits e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("remove", e.remove().stream().map(AsciiString::toString).toList());
        m.put("set", pairs(e.set()));
        m.put("add", pairs(e.add()));
        return m;
    }

    private static List<String> pairs(List<AsciiString[]> pairs) {
        List<String> out = new ArrayList<>();
        pairs.forEach(p -> out.add(p[0] + ": " + p[1]));
        return out;
    }

    /**
     * The upstream, its policy and each target with what each node (or only {@code node}) last said of its health;
     * a target no node reported on has an empty list there.
     */
    static Map<String, Object> upstream(TargetGroup g, HttpRequest req, Map<String, Object> health, String node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("policy", g.policy().name().toLowerCase(Locale.ROOT));
        HashKey key = g.hashKey();
        if (key != null && g.policy() == io.edgeway.dataplane.balancing.Policy.CONSISTENT_HASH) {
            m.put("hash_on", key.kind().name().toLowerCase(Locale.ROOT) + (key.name().isEmpty() ? "" : " " + key.name()));
            if (key.kind() == HashKey.Kind.HEADER) {
                m.put("hash_value_for_this_request", req.headers().get(key.name()));
            }
        }
        m.put("protocol", g.protocol().name().toLowerCase(Locale.ROOT));
        m.put("health_check", healthCheck(g.health()));
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Endpoint e : g.targets()) {
            Map<String, Object> t = new LinkedHashMap<>();
            String name = e.host() + ":" + e.port();
            t.put("target", name);
            t.put("weight", e.weight());
            List<Map<String, Object>> byNode = new ArrayList<>();
            for (Object o : (List<?>) health.get("nodes")) {
                Map<?, ?> n = (Map<?, ?>) o;
                if (node != null && !node.equals(n.get("node"))) {
                    continue;
                }
                for (Object ro : (List<?>) n.get("targets")) {
                    Map<?, ?> report = (Map<?, ?>) ro;
                    if (name.equals(report.get("target"))) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("node", n.get("node"));
                        r.put("connected", n.get("connected"));
                        r.put("healthy", report.get("healthy"));
                        r.put("reason", report.get("reason"));
                        byNode.add(r);
                    }
                }
            }
            t.put("health_by_node", byNode);
            targets.add(t);
        }
        m.put("targets", targets);
        return m;
    }

    private static Map<String, Object> healthCheck(HealthPolicy h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("active", h.active() == null ? null : Map.of("path", h.active().path(), "interval_ms", h.active().intervalMs()));
        m.put("passive", h.passive() == null ? null : Map.of("consecutive_failures", h.passive().consecutiveFailures()));
        return m;
    }

    /** Which certificate a client naming {@code host} in SNI gets; an IP address is never sent as SNI (RFC 6066 3). */
    static Map<String, Object> tls(TlsCertificates certs, String host) {
        boolean ip = host.startsWith("[") || host.matches("[0-9.]+");
        SniExplanation e = certs.explain(ip ? null : host);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sni", e.host());
        m.put("match", e.match());
        m.put("matched_name", e.key());
        m.put("ecdsa", e.ecdsa());
        m.put("rsa", e.rsa());
        m.put("for_ecdsa_clients", e.forEcdsaClients());
        m.put("for_rsa_only_clients", e.forRsaOnlyClients());
        if (e.match().equals(SniExplanation.NONE)) {
            m.put("fallback", ip ? "no SNI is sent for an IP address: " + DEFAULT : "no certificate names this host: " + DEFAULT);
        }
        return m;
    }

    private static final String DEFAULT = "each proxy uses its EDGEWAY_TLS_DEFAULT_CERTIFICATE, else its self-signed one "
            + "(EDGEWAY_TLS_SELF_SIGNED=true), else it refuses the handshake with unrecognized_name";
}
