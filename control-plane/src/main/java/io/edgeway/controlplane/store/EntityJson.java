package io.edgeway.controlplane.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.controlplane.model.AcmeSpec;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.RouteSite;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Https;
import io.edgeway.controlplane.limits.RouteLimitsJson;
import io.edgeway.controlplane.model.AccessLogPolicy;
import io.edgeway.controlplane.model.CachePolicy;
import io.edgeway.controlplane.model.Timeouts;
import io.edgeway.controlplane.model.Upstream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON shape of each entity: the admin API answers with it and the revision log stores it as
 * before/after, so history can later be diffed or replayed through the API unchanged.
 */
public final class EntityJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private EntityJson() {}

    public static Map<String, Object> upstream(Stored<Upstream> s) {
        Upstream u = s.value();
        Map<String, Object> m = head(s, u.name(), u.tags());
        m.put("targets", targets(u.targets()));
        m.put("policy", u.policy());
        balancing(m, u);
        m.put("protocol", u.protocol());
        return tail(m, s);
    }

    public static Map<String, Object> route(Stored<Route> s) {
        Route r = s.value();
        Map<String, Object> m = head(s, r.name(), r.tags());
        m.put("hosts", r.hosts());
        m.put("paths", r.paths());
        m.put("methods", r.methods());
        m.put("upstream", r.upstream());
        m.put("timeouts", timeouts(r.timeouts()));
        m.put("https_redirect", r.https().redirect());
        m.put("hsts", hsts(r.https()));
        m.put("access_log", accessLog(r.accessLog()));
        if (r.site() != null) {
            m.put("site", site(r.site()));
        }
        m.put("cache", cache(r.cache()));
        RouteActionsJson.putView(m, r.actions());
        RouteLimitsJson.put(m, r.limits());
        return tail(m, s);
    }

    /** A certificate as the API shows it: never its private key. */
    public static Map<String, Object> certificate(Stored<Certificate> s) {
        Certificate cert = s.value();
        Map<String, Object> m = head(s, cert.name(), cert.tags());
        m.put("cert", cert.cert());
        m.put("snis", cert.snis());
        m.put("expires_at", cert.expiresAt() == null ? null : cert.expiresAt().toString());
        m.put("fingerprint_sha256", cert.fingerprintSha256());
        if (cert.managed()) {
            m.put("acme", acme(cert.acme()));
        }
        return tail(m, s);
    }

    public static Map<String, Object> streamRoute(Stored<StreamRoute> s) {
        StreamRoute r = s.value();
        Map<String, Object> m = head(s, r.name(), r.tags());
        m.put("listen_port", r.listenPort());
        m.put("protocol", r.protocol());
        m.put("snis", r.snis());
        m.put("upstream", r.upstream());
        return tail(m, s);
    }

    /**
     * An upstream as the declarative document spells it: no id or timestamps (so an export applies
     * elsewhere unchanged) and no empty lists (so a hand-written file and its export read the same).
     */
    public static Map<String, Object> upstreamDoc(Upstream u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        putIfAny(m, "tags", u.tags());
        putIfAny(m, "targets", targets(u.targets()));
        // balancing and health are config too: left out of the document, an export would reset them
        if (!u.policy().equals(Upstream.ROUND_ROBIN)) {
            m.put("policy", u.policy());
        }
        balancing(m, u);
        if (!u.protocol().equals(Upstream.HTTP1)) { // an exported h2c upstream must not apply back as http1
            m.put("protocol", u.protocol());
        }
        return m;
    }

    /** The optional balancing, health and TLS fields, each only when set. */
    private static void balancing(Map<String, Object> m, Upstream u) {
        if (u.hashOn() != null) {
            m.put("hash_on", PolicyJson.hashOn(u.hashOn()));
        }
        if (u.slowStart() != null) {
            m.put("slow_start", Durations.format(u.slowStart()));
        }
        if (u.healthCheck() != null) {
            m.put("health_check", PolicyJson.healthCheck(u.healthCheck()));
        }
        if (u.tls() != null) { // left out of an export, an upstream would apply back as plaintext
            m.put("tls", PolicyJson.tls(u.tls()));
        }
    }

    /** A route as the declarative document spells it; see {@link #upstreamDoc}. */
    public static Map<String, Object> routeDoc(Route r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        putIfAny(m, "tags", r.tags());
        putIfAny(m, "hosts", r.hosts());
        putIfAny(m, "paths", r.paths());
        putIfAny(m, "methods", r.methods());
        if (r.site() != null) {
            m.put("site", site(r.site()));
        } else if (r.upstream() != null) { // a redirect route has none
            m.put("upstream", r.upstream());
        }
        Map<String, Object> t = timeouts(r.timeouts());
        if (!t.isEmpty()) {
            m.put("timeouts", t);
        }
        if (r.https().redirect()) {
            m.put("https_redirect", true);
        }
        if (r.https().hstsMaxAgeSeconds() > 0) {
            m.put("hsts", hsts(r.https()));
        }
        if (!r.accessLog().isDefault()) {
            m.put("access_log", accessLog(r.accessLog()));
        }
        if (!r.cache().isDefault()) {
            m.put("cache", cache(r.cache()));
        }
        m.putAll(RouteActionsJson.doc(r.actions()));
        RouteLimitsJson.put(m, r.limits());
        return m;
    }

    /**
     * A certificate as the declarative document spells it: the chain and SNIs, never the key (so an
     * export holds no secret; applying it back keeps the stored key, see ConfigStore).
     */
    public static Map<String, Object> certificateDoc(Certificate c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        putIfAny(m, "tags", c.tags());
        if (c.managed()) { // the ACME client owns the chain: the document declares only what to obtain
            putIfAny(m, "snis", c.snis());
            m.put("acme", acme(c.acme()));
            return m;
        }
        m.put("cert", c.cert());
        putIfAny(m, "snis", c.snis());
        return m;
    }

    /** An ACME spec without its EAB HMAC key (a secret the store keeps sealed). */
    static Map<String, Object> acme(AcmeSpec a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", a.issuer());
        if (a.email() != null) {
            m.put("email", a.email());
        }
        if (a.eabKid() != null) {
            m.put("eab", Map.of("kid", a.eabKid()));
        }
        if (!a.challenge().equals(AcmeSpec.HTTP_01)) {
            m.put("challenge", a.challenge());
        }
        return m;
    }

    static AcmeSpec readAcme(JsonNode a) {
        JsonNode email = a.get("email");
        JsonNode kid = a.path("eab").get("kid");
        return new AcmeSpec(a.path("issuer").asText(), email == null || email.isNull() ? null : email.asText(),
                kid == null || kid.isNull() ? null : kid.asText(), null,
                a.hasNonNull("challenge") ? a.get("challenge").asText() : null);
    }

    /** A stream route as the declarative document spells it; see {@link #upstreamDoc}. */
    public static Map<String, Object> streamRouteDoc(StreamRoute r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        putIfAny(m, "tags", r.tags());
        m.put("listen_port", r.listenPort());
        m.put("protocol", r.protocol());
        putIfAny(m, "snis", r.snis());
        m.put("upstream", r.upstream());
        return m;
    }

    /** Reads back an upstream this class wrote (API or document shape), e.g. from the revision log. */
    static Upstream readUpstream(JsonNode n) {
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : n.path("targets")) {
            targets.add(new Target(t.path("host").asText(), t.path("port").asInt(), t.path("weight").asInt(Target.DEFAULT_WEIGHT)));
        }
        JsonNode slowStart = n.get("slow_start");
        return new Upstream(n.path("name").asText(), strings(n.path("tags")), targets,
                n.path("policy").asText(Upstream.ROUND_ROBIN), PolicyJson.readHashOn(n.get("hash_on")),
                slowStart == null || slowStart.isNull() ? null : Durations.parse("slow_start", slowStart.asText()),
                PolicyJson.readHealthCheck(n.get("health_check")), n.path("protocol").asText(Upstream.HTTP1),
                PolicyJson.readTls(n.get("tls")));
    }

    /** Reads back a certificate this class wrote (API shape), e.g. from the revision log; it has no key. */
    static Certificate readCertificate(JsonNode n) {
        JsonNode acme = n.get("acme");
        if (acme != null && acme.isObject()) { // its chain is the ACME client's, not part of the declared state
            return Certificate.managed(n.path("name").asText(), strings(n.path("tags")), strings(n.path("snis")), readAcme(acme));
        }
        return new Certificate(n.path("name").asText(), strings(n.path("tags")), n.path("cert").asText(),
                strings(n.path("snis")), Instant.parse(n.path("expires_at").asText()), n.path("fingerprint_sha256").asText());
    }

    /** Reads back a stream route this class wrote; see {@link #readUpstream}. */
    static StreamRoute readStreamRoute(JsonNode n) {
        return new StreamRoute(n.path("name").asText(), strings(n.path("tags")), n.path("listen_port").asInt(),
                n.path("protocol").asText(), strings(n.path("snis")), n.path("upstream").asText());
    }

    /** Reads back a route this class wrote; see {@link #readUpstream}. */
    static Route readRoute(JsonNode n) {
        JsonNode t = n.path("timeouts");
        Timeouts timeouts = new Timeouts(duration(t, "connect"), duration(t, "first_byte"), duration(t, "idle"));
        JsonNode h = n.path("hsts");
        Https https = new Https(n.path("https_redirect").asBoolean(false), h.path("max_age").asLong(0),
                h.path("include_subdomains").asBoolean(false));
        JsonNode al = n.path("access_log");
        AccessLogPolicy accessLog = new AccessLogPolicy(al.path("enabled").asBoolean(true), al.path("sample").asDouble(1));
        JsonNode site = n.get("site");
        JsonNode upstream = n.get("upstream");
        return new Route(n.path("name").asText(), strings(n.path("tags")), strings(n.path("hosts")),
                strings(n.path("paths")), strings(n.path("methods")),
                upstream == null || upstream.isNull() ? null : upstream.asText(), timeouts, https, accessLog,
                site == null || site.isNull() ? null : new RouteSite(site.path("name").asText(), site.path("spa").asBoolean(false)),
                readCache(n.path("cache")), RouteActionsJson.read(n), RouteLimitsJson.read(n));
    }

    private static Duration duration(JsonNode timeouts, String field) {
        JsonNode v = timeouts.get(field);
        return v == null || v.isNull() ? null : Durations.parse("timeouts." + field, v.asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static void putIfAny(Map<String, Object> m, String key, List<?> values) {
        if (!values.isEmpty()) {
            m.put(key, values);
        }
    }

    public static Map<String, Object> target(Target t) {
        return targets(List.of(t)).get(0);
    }

    static List<Map<String, Object>> targets(List<Target> targets) {
        return targets.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", t.host());
            m.put("port", t.port());
            m.put("weight", t.weight());
            return m;
        }).toList();
    }

    private static Map<String, Object> site(RouteSite site) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", site.name());
        m.put("spa", site.spa());
        return m;
    }

    /** null when the route does not cache. */
    public static Map<String, Object> cache(CachePolicy p) {
        if (!p.enabled()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", true);
        m.put("max_object_bytes", p.maxObjectBytes());
        if (p.defaultTtl() != null) {
            m.put("default_ttl", Durations.format(p.defaultTtl()));
        }
        if (!p.keyHeaders().isEmpty()) {
            m.put("key", Map.of("headers", p.keyHeaders()));
        }
        if (p.lockTimeout() != null) {
            m.put("lock_timeout", Durations.format(p.lockTimeout()));
        }
        return m;
    }

    /** Reads back what {@link #cache} wrote (or a missing/null node: no cache). */
    public static CachePolicy readCache(JsonNode c) {
        if (c == null || c.isMissingNode() || c.isNull() || !c.path("enabled").asBoolean(false)) {
            return CachePolicy.OFF;
        }
        return new CachePolicy(true, c.path("max_object_bytes").asLong(CachePolicy.DEFAULT_MAX_OBJECT_BYTES),
                c.hasNonNull("default_ttl") ? Durations.parse("cache.default_ttl", c.get("default_ttl").asText()) : null,
                strings(c.path("key").path("headers")),
                c.hasNonNull("lock_timeout") ? Durations.parse("cache.lock_timeout", c.get("lock_timeout").asText()) : null);
    }

    private static Map<String, Object> accessLog(AccessLogPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", p.enabled());
        m.put("sample", p.sample());
        return m;
    }

    /** null when the route sends no HSTS header. */
    private static Map<String, Object> hsts(Https h) {
        if (h.hstsMaxAgeSeconds() == 0) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_age", h.hstsMaxAgeSeconds());
        m.put("include_subdomains", h.hstsIncludeSubdomains());
        return m;
    }

    private static Map<String, Object> timeouts(Timeouts t) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (t.connect() != null) {
            m.put("connect", Durations.format(t.connect()));
        }
        if (t.firstByte() != null) {
            m.put("first_byte", Durations.format(t.firstByte()));
        }
        if (t.idle() != null) {
            m.put("idle", Durations.format(t.idle()));
        }
        return m;
    }

    private static Map<String, Object> head(Stored<?> s, String name, List<String> tags) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id().toString());
        m.put("name", name);
        m.put("tags", tags);
        return m;
    }

    private static Map<String, Object> tail(Map<String, Object> m, Stored<?> s) {
        m.put("created_at", s.createdAt().toString());
        m.put("updated_at", s.updatedAt().toString());
        return m;
    }
}
