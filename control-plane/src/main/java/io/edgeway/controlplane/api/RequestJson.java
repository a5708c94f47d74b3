package io.edgeway.controlplane.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.AcmeSpec;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Pem;
import io.edgeway.controlplane.model.Https;
import io.edgeway.controlplane.model.AccessLogPolicy;
import io.edgeway.controlplane.model.CachePolicy;
import io.edgeway.controlplane.model.RouteLimits;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.RouteSite;
import io.edgeway.controlplane.model.RouteActions;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Timeouts;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads request bodies into model records, collecting every problem before answering. */
final class RequestJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Set<String> UPSTREAM = union(Set.of("name", "tags", "targets"), UpstreamPolicyJson.FIELDS);
    private static final Set<String> TARGET = Set.of("host", "port", "weight");
    private static final Set<String> ROUTE = union(union(Set.of("name", "tags", "hosts", "paths", "methods", "upstream",
            "timeouts", "https_redirect", "hsts", "access_log", "site", "cache"), RouteActionsRequest.FIELDS),
            RouteLimitsFields.ROUTE_FIELDS);
    private static final Set<String> ROUTE_SITE = Set.of("name", "spa");
    private static final Set<String> CACHE = Set.of("enabled", "max_object_bytes", "default_ttl", "key", "lock_timeout");
    private static final Set<String> CACHE_KEY = Set.of("headers");
    private static final Set<String> ACCESS_LOG = Set.of("enabled", "sample");
    private static final Set<String> HSTS = Set.of("max_age", "include_subdomains");
    private static final Set<String> TIMEOUTS = Set.of("connect", "first_byte", "idle");
    /** Longer locations (deep nesting) are only reported as {@code body}. */
    private static final int MAX_FIELD_PATH = 200;
    private static final Set<String> CERTIFICATE = Set.of("name", "tags", "cert", "key", "snis", "acme");
    private static final Set<String> ACME = Set.of("issuer", "email", "eab", "challenge");
    private static final Set<String> EAB = Set.of("kid", "hmac");
    private static final Set<String> STREAM_ROUTE = Set.of("name", "tags", "listen_port", "protocol", "snis", "upstream");

    /** A certificate as validated, and its private key as PKCS#8 DER (to be encrypted by the store). */
    record CertificateInput(Certificate certificate, byte[] privateKey) {}

    private RequestJson() {}

    /** The body as a JSON object; 415 unless it is declared JSON, 400 unless it parses as one object. */
    static ObjectNode object(String contentType, String body) {
        return object(contentType, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The raw body as a JSON object. Parsed from the bytes, so invalid UTF-8 is refused (400) rather than
     * silently replaced; syntax errors name the field they were found in as well as {@code body}.
     */
    static ObjectNode object(String contentType, byte[] body) {
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !media.endsWith("+json")) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformedBody("not valid JSON", e);
        } catch (IOException e) {
            String detail = "body: not valid JSON (" + e.getMessage() + ")";
            throw ApiException.malformed(detail, List.of(new FieldError("body", detail)));
        }
        if (node == null || !node.isObject()) {
            String detail = "body: " + (node == null || node.isMissingNode() ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT))
                    + " (expected: a JSON object)";
            throw ApiException.malformed(detail, List.of(new FieldError("body", detail)));
        }
        return (ObjectNode) node;
    }

    /** A 400 for a body that does not parse: {@code body}, plus the field being read when one is known. */
    static ApiException malformedBody(String what, JsonProcessingException e) {
        String detail = "body: " + what + " (" + e.getOriginalMessage() + ")";
        List<FieldError> errors = new ArrayList<>();
        errors.add(new FieldError("body", detail));
        String field = e.getProcessor() instanceof JsonParser parser ? fieldPath(parser.getParsingContext()) : "";
        if (!field.isEmpty() && field.length() <= MAX_FIELD_PATH) {
            errors.add(new FieldError(field, field + ": " + what + " (" + e.getOriginalMessage() + ")"));
        }
        return ApiException.malformed(detail, errors);
    }

    /** {@code targets[0].host} for the parser's position; empty at the top level. */
    private static String fieldPath(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject()) {
                if (c.getCurrentName() == null) {
                    continue;
                }
                parts.add(0, "." + c.getCurrentName());
            } else if (c.inArray()) {
                parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            }
            if (parts.size() > MAX_FIELD_PATH) {
                return "";
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    /** An upstream; {@code name} from the body, else {@code defaultName} (the PUT path's name). */
    static Upstream upstream(ObjectNode body, String defaultName) {
        Fields.Problems problems = new Fields.Problems();
        Fields f = new Fields(body, "", problems, UPSTREAM);
        String name = orDefault(f.string("name"), defaultName);
        List<String> tags = f.strings("tags");
        List<Target> targets = new ArrayList<>();
        List<Fields> targetFields = f.objects("targets", TARGET);
        for (Fields t : targetFields == null ? List.<Fields>of() : targetFields) {
            String host = t.string("host");
            int port = t.integer("port", 0, "1-65535");
            if (!t.has("port")) {
                problems.invalid.add(new FieldError(t.path("port"), "port: missing (expected: 1-65535)"));
            }
            int weight = t.integer("weight", Target.DEFAULT_WEIGHT, "0-" + Target.MAX_WEIGHT);
            try {
                targets.add(new Target(host, port, weight));
            } catch (ValidationException e) {
                // "port: missing" already says what a port of 0 would
                e.under(t.prefix()).stream()
                        .filter(err -> problems.invalid.stream().noneMatch(p -> p.field().equals(err.field())))
                        .forEach(problems.invalid::add);
            }
        }
        UpstreamPolicyJson.Parsed policy = UpstreamPolicyJson.read(f, problems);
        throwIfMalformed(problems);
        Upstream u = null;
        try {
            u = new Upstream(name, tags, targets, policy.policy(), policy.hashOn(), policy.slowStart(),
                    policy.healthCheck(), policy.protocol(), policy.tls());
        } catch (ValidationException e) {
            problems.invalid.addAll(0, e.errors());
        }
        throwIfInvalid(problems.invalid);
        return u;
    }

    /**
     * One target of the targets subresource; {@code host} and {@code port} default to {@code pathHost} and
     * {@code pathPort} (the PUT path's target; null and 0 for a POST), and must equal them when given.
     */
    static Target target(ObjectNode body, String pathHost, int pathPort) {
        Fields.Problems problems = new Fields.Problems();
        Fields f = new Fields(body, "", problems, TARGET);
        String host = orDefault(f.string("host"), pathHost);
        int port = f.integer("port", pathPort, "1-65535");
        int weight = f.integer("weight", Target.DEFAULT_WEIGHT, "0-" + Target.MAX_WEIGHT);
        throwIfMalformed(problems);
        if (!f.has("port") && pathPort == 0) {
            problems.invalid.add(new FieldError("port", "port: missing (expected: 1-65535)"));
        }
        Target t = null;
        try {
            t = new Target(host, port, weight);
        } catch (ValidationException e) {
            e.errors().stream()
                    .filter(err -> problems.invalid.stream().noneMatch(p -> p.field().equals(err.field())))
                    .forEach(problems.invalid::add);
        }
        if (t != null && pathHost != null) {
            if (!t.host().equals(pathHost.toLowerCase(Locale.ROOT))) {
                problems.invalid.add(new FieldError("host", "host: " + t.host() + " (expected: " + pathHost + ", the host in the path)"));
            }
            if (t.port() != pathPort) {
                problems.invalid.add(new FieldError("port", "port: " + t.port() + " (expected: " + pathPort + ", the port in the path)"));
            }
        }
        throwIfInvalid(problems.invalid);
        return t;
    }

    /**
     * A certificate with its key; {@code name} from the body, else {@code defaultName}. The chain must parse,
     * the key must be PKCS#8 RSA or EC and belong to the leaf; errors name {@code cert} or {@code key}.
     */
    static CertificateInput certificate(ObjectNode body, String defaultName) {
        return certificate(body, defaultName, false);
    }

    /**
     * As {@link #certificate(ObjectNode, String)}, but {@code keyOptional} lets a declarative document leave
     * the key out (the input's key is then null); whether the store holds one for the leaf is its check.
     */
    static CertificateInput certificate(ObjectNode body, String defaultName, boolean keyOptional) {
        Fields.Problems problems = new Fields.Problems();
        Fields f = new Fields(body, "", problems, CERTIFICATE);
        String name = orDefault(f.string("name"), defaultName);
        List<String> tags = f.strings("tags");
        String certPem = f.string("cert");
        String keyPem = f.string("key");
        List<String> snis = f.strings("snis");
        if (f.has("acme")) {
            return managedCertificate(f, problems, name, tags, snis, certPem, keyPem);
        }
        throwIfMalformed(problems);
        Pem.Chain chain = null;
        byte[] key = null;
        try {
            chain = Pem.certificate(certPem);
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
        }
        if (chain != null && !(keyOptional && keyPem == null)) {
            try {
                key = Pem.privateKey(keyPem, chain.leaf());
            } catch (ValidationException e) {
                problems.invalid.addAll(e.errors());
            }
        } else if (chain == null && keyPem == null && !keyOptional) {
            problems.invalid.add(new FieldError("key", "key: missing (expected: a PEM private key, -----BEGIN PRIVATE KEY-----)"));
        }
        Certificate c = null;
        try {
            c = new Certificate(name, tags, certPem, snis, chain == null ? Instant.EPOCH : chain.expiresAt(),
                    chain == null ? "" : chain.fingerprintSha256());
        } catch (ValidationException e) {
            e.errors().stream()
                    .filter(err -> problems.invalid.stream().noneMatch(p -> p.field().equals(err.field())))
                    .forEach(problems.invalid::add);
        }
        throwIfInvalid(problems.invalid);
        return new CertificateInput(c, key);
    }

    /** A certificate the ACME client obtains: {@code acme} instead of {@code cert} and {@code key}. */
    private static CertificateInput managedCertificate(Fields f, Fields.Problems problems, String name, List<String> tags,
                                                       List<String> snis, String certPem, String keyPem) {
        Fields acme = f.object("acme", ACME);
        String issuer = acme.string("issuer");
        String email = acme.string("email");
        String challenge = acme.string("challenge");
        Fields eab = acme.object("eab", EAB);
        String kid = eab == null ? null : eab.string("kid");
        String hmac = eab == null ? null : eab.string("hmac");
        throwIfMalformed(problems);
        if (certPem != null || keyPem != null) {
            String field = certPem != null ? "cert" : "key";
            problems.invalid.add(new FieldError(field, field + ": given with acme (expected: either cert and key, or acme)"));
        }
        AcmeSpec spec = null;
        try {
            spec = new AcmeSpec(issuer, email, kid, hmac, challenge);
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
        }
        Certificate c = null;
        try { // the certificate's own checks, reported with the spec's even when the spec is bad
            c = Certificate.managed(name, tags, snis, spec != null ? spec : new AcmeSpec("letsencrypt", null, null, null));
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
        }
        throwIfInvalid(problems.invalid);
        return new CertificateInput(c, null);
    }

    /** A stream route; {@code name} from the body, else {@code defaultName}. */
    static StreamRoute streamRoute(ObjectNode body, String defaultName) {
        Fields.Problems problems = new Fields.Problems();
        Fields f = new Fields(body, "", problems, STREAM_ROUTE);
        String name = orDefault(f.string("name"), defaultName);
        List<String> tags = f.strings("tags");
        int port = f.integer("listen_port", 0, "1-65535");
        String protocol = f.string("protocol");
        List<String> snis = f.strings("snis");
        String upstream = f.string("upstream");
        throwIfMalformed(problems);
        StreamRoute r = null;
        try {
            r = new StreamRoute(name, tags, port, protocol, snis, upstream);
        } catch (ValidationException e) {
            e.errors().stream()
                    .filter(err -> problems.invalid.stream().noneMatch(p -> p.field().equals(err.field())))
                    .forEach(problems.invalid::add);
        }
        throwIfInvalid(problems.invalid);
        return r;
    }

    /** A route; {@code name} from the body, else {@code defaultName} (the PUT path's name). */
    static Route route(ObjectNode body, String defaultName) {
        Fields.Problems problems = new Fields.Problems();
        Fields f = new Fields(body, "", problems, ROUTE);
        String name = orDefault(f.string("name"), defaultName);
        List<String> tags = f.strings("tags");
        List<String> hosts = f.strings("hosts");
        List<String> paths = f.strings("paths");
        List<String> methods = f.strings("methods");
        String upstream = f.string("upstream");
        Timeouts timeouts = Timeouts.DEFAULTS;
        Fields t = f.object("timeouts", TIMEOUTS);
        if (t != null) {
            timeouts = new Timeouts(t.duration("connect"), t.duration("first_byte"), t.duration("idle"));
        }
        boolean redirect = f.bool("https_redirect", false);
        Fields h = f.object("hsts", HSTS);
        Https https = new Https(redirect, h == null ? 0 : h.integer("max_age", 0, "0-" + Https.MAX_HSTS_SECONDS + " seconds"),
                h != null && h.bool("include_subdomains", false));
        Fields al = f.object("access_log", ACCESS_LOG);
        AccessLogPolicy accessLog = al == null ? AccessLogPolicy.ALL
                : new AccessLogPolicy(al.bool("enabled", true), al.number("sample", 1));
        Fields s = f.object("site", ROUTE_SITE);
        RouteSite site = s == null ? null : new RouteSite(s.string("name"), s.bool("spa", false));
        CachePolicy cache = CachePolicy.OFF;
        Fields c = f.object("cache", CACHE);
        if (c != null) {
            Fields key = c.object("key", CACHE_KEY);
            cache = new CachePolicy(c.bool("enabled", true),
                    c.integer("max_object_bytes", (int) CachePolicy.DEFAULT_MAX_OBJECT_BYTES, "1-" + CachePolicy.MAX_OBJECT_BYTES),
                    c.duration("default_ttl"), key == null ? List.of() : key.strings("headers"), c.duration("lock_timeout"));
        }
        RouteActions actions = RouteActionsRequest.read(f, problems);
        RouteLimits limits = RouteLimitsFields.read(f);
        throwIfMalformed(problems);
        Route r = null;
        try {
            r = new Route(name, tags, hosts, paths, methods, upstream, timeouts, https, accessLog, site, cache, actions, limits);
        } catch (ValidationException e) {
            problems.invalid.addAll(0, e.errors());
        }
        throwIfInvalid(problems.invalid);
        return r;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static String orDefault(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static void throwIfMalformed(Fields.Problems problems) {
        if (!problems.malformed.isEmpty()) {
            String detail = problems.malformed.get(0).message()
                    + (problems.malformed.size() > 1 ? " (and " + (problems.malformed.size() - 1) + " more)" : "");
            throw ApiException.malformed(detail, problems.malformed);
        }
    }

    private static void throwIfInvalid(List<FieldError> invalid) {
        if (!invalid.isEmpty()) {
            throw new ValidationException(invalid);
        }
    }
}
