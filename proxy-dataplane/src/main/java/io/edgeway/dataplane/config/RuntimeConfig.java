package io.edgeway.dataplane.config;

import io.edgeway.dataplane.acme.AcmeChallenges;
import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.routing.PathRegex;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.cache.CachePurges;
import io.edgeway.dataplane.cache.RouteCache;
import io.edgeway.dataplane.cache.RouteCaches;
import io.edgeway.dataplane.limits.RateLimitSpec;
import io.edgeway.dataplane.routing.RouteHttps;
import io.edgeway.dataplane.routing.RouteTable;
import io.edgeway.dataplane.routing.RouteTimeouts;
import io.edgeway.dataplane.site.RouteSite;
import io.edgeway.dataplane.site.SiteBlobs;
import io.edgeway.dataplane.site.Sites;
import io.edgeway.dataplane.status.RouteMeters;
import io.edgeway.dataplane.tls.TlsCertificates;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Timeouts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable config one proxy runs, parsed from a {@link Snapshot} once at the edge. The hot path reads
 * it through a single volatile reference ({@link ConfigHolder}) and never sees a half-built state.
 */
public record RuntimeConfig(long version, RouteTable routes, Map<String, TargetGroup> upstreams, TlsCertificates tls,
                            AcmeChallenges acme, Sites sites, CachePurges cachePurges) {
    /** The config before any snapshot was applied: no routes, so every request gets 404. */
    public static final RuntimeConfig NONE = new RuntimeConfig(0, RouteTable.EMPTY, Map.of());

    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})?(\\.[a-z0-9]([a-z0-9-]{0,62})?)*|\\[[0-9a-f:.]+]");
    private static final Pattern TARGET_HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62})?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})?)*|\\[?[0-9a-fA-F:.]+]?");
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]{0,31}");

    public RuntimeConfig {
        requireNonNull(routes, "routes");
        upstreams = Map.copyOf(requireNonNull(upstreams, "upstreams"));
        requireNonNull(tls, "tls");
        requireNonNull(acme, "acme");
        requireNonNull(sites, "sites");
        requireNonNull(cachePurges, "cachePurges");
    }

    public RuntimeConfig(long version, RouteTable routes, Map<String, TargetGroup> upstreams, TlsCertificates tls,
            AcmeChallenges acme) {
        this(version, routes, upstreams, tls, acme, Sites.NONE, CachePurges.NONE);
    }

    public RuntimeConfig(long version, RouteTable routes, Map<String, TargetGroup> upstreams, TlsCertificates tls) {
        this(version, routes, upstreams, tls, AcmeChallenges.NONE);
    }

    /** A config without certificates. */
    public RuntimeConfig(long version, RouteTable routes, Map<String, TargetGroup> upstreams) {
        this(version, routes, upstreams, TlsCertificates.NONE);
    }

    /** Validates everything first and reports all errors at once; builds nothing partial. */
    public static RuntimeConfig from(Snapshot snapshot) throws InvalidConfigException {
        return from(snapshot, NONE);
    }

    /**
     * As above; targets that {@code running} already has (same upstream, same host:port) keep their state:
     * requests in flight, health, ejection.
     */
    public static RuntimeConfig from(Snapshot snapshot, RuntimeConfig running) throws InvalidConfigException {
        return from(snapshot, running, RouteMeters.NONE);
    }

    /** As above; each route gets its metric children from {@code meters} now, never per request. */
    public static RuntimeConfig from(Snapshot snapshot, RuntimeConfig running, RouteMeters meters)
            throws InvalidConfigException {
        return from(snapshot, running, meters, SiteBlobs.NONE);
    }

    /**
     * As above; the files of the snapshot's site deployments must all be in {@code blobs} already. Strict: any bad
     * entity refuses the whole snapshot (what the pre-commit check wants); a proxy applies with {@link #compile}.
     */
    public static RuntimeConfig from(Snapshot snapshot, RuntimeConfig running, RouteMeters meters, SiteBlobs blobs)
            throws InvalidConfigException {
        PartialConfig compiled = compile(snapshot, running, meters, blobs);
        if (!compiled.quarantined().isEmpty()) {
            throw new InvalidConfigException(compiled.quarantined());
        }
        return compiled.config();
    }

    /**
     * Partial rejection (issue 22): compiles every entity it can and leaves out (quarantines) the ones it cannot
     * use and those that depend on them, returning both. Throws only for what concerns the whole snapshot (see
     * {@link Quarantine#wholeSnapshot}). A quarantined route whose hosts, paths and methods are valid still
     * matches, answering 503, so its traffic never falls through to a less specific route.
     */
    public static PartialConfig compile(Snapshot snapshot, RuntimeConfig running, RouteMeters meters, SiteBlobs blobs)
            throws InvalidConfigException {
        requireNonNull(running, "running");
        requireNonNull(meters, "meters");
        List<ConfigError> errors = new ArrayList<>();
        if (snapshot.getVersion() < 0) { // 0 is an empty control plane's: no routes yet, but a config
            errors.add(new ConfigError("snapshot", "", "version",
                    snapshot.getVersion() + " (expected: >= 0)"));
        }
        Map<String, TargetGroup> upstreams = new HashMap<>();
        for (int i = 0; i < snapshot.getUpstreamsCount(); i++) {
            io.edgeway.proto.v1.Upstream u = snapshot.getUpstreams(i);
            String name = u.getName().isEmpty() ? "#" + i : u.getName();
            int before = errors.size();
            if (u.getName().isEmpty()) {
                errors.add(new ConfigError("upstream", name, "name", "must not be empty"));
            } else if (upstreams.containsKey(u.getName())) {
                errors.add(new ConfigError("upstream", name, "name", "duplicate upstream name"));
            }
            TargetGroup previous = running.upstreams().get(u.getName());
            Map<String, Endpoint> kept = new HashMap<>();
            if (previous != null) {
                previous.targets().forEach(t -> kept.put(t.toString(), t));
            }
            List<Endpoint> targets = new ArrayList<>();
            for (int t = 0; t < u.getTargetsCount(); t++) {
                io.edgeway.proto.v1.Target pt = u.getTargets(t);
                String field = "targets[" + t + "]";
                if (!TARGET_HOST.matcher(pt.getHost()).matches()) {
                    errors.add(new ConfigError("upstream", name, field + ".host",
                            "'" + pt.getHost() + "' (expected: a host name or IP address)"));
                }
                if (pt.getPort() < 1 || pt.getPort() > 65535) {
                    errors.add(new ConfigError("upstream", name, field + ".port",
                            Integer.toUnsignedString(pt.getPort()) + " (expected: 1-65535)"));
                }
                if (pt.getWeight() < 0) {
                    errors.add(new ConfigError("upstream", name, field + ".weight",
                            Integer.toUnsignedString(pt.getWeight()) + " (expected: 0-2147483647)"));
                }
                if (errors.size() == before) {
                    targets.add(Endpoint.of(pt.getHost(), pt.getPort(), pt.getWeight(),
                            kept.get(pt.getHost() + ":" + pt.getPort())));
                }
            }
            TargetGroup built = errors.size() == before ? UpstreamPolicies.build(u, targets, previous, errors) : null;
            if (built != null) {
                upstreams.put(u.getName(), built);
            } else if (!u.getName().isEmpty()) {
                upstreams.putIfAbsent(u.getName(), null); // known name, so routes don't also report it missing
            }
        }
        Sites sites = Sites.from(snapshot, blobs, errors);
        Set<String> routeNames = new HashSet<>();
        List<RouteRule> routes = new ArrayList<>();
        for (int i = 0; i < snapshot.getRoutesCount(); i++) {
            io.edgeway.proto.v1.Route r = snapshot.getRoutes(i);
            String name = r.getName().isEmpty() ? "#" + i : r.getName();
            int before = errors.size();
            if (r.getName().isEmpty()) {
                errors.add(new ConfigError("route", name, "name", "must not be empty"));
            } else if (!routeNames.add(r.getName())) {
                errors.add(new ConfigError("route", name, "name", "duplicate route name"));
            }
            List<String> hosts = new ArrayList<>();
            for (int h = 0; h < r.getHostsCount(); h++) {
                String host = r.getHosts(h).toLowerCase(Locale.ROOT);
                if (!HOST.matcher(host).matches()) {
                    errors.add(new ConfigError("route", name, "hosts[" + h + "]",
                            "'" + r.getHosts(h) + "' (expected: a host name or *.suffix)"));
                }
                hosts.add(host);
            }
            for (int p = 0; p < r.getPathsCount(); p++) {
                String path = r.getPaths(p);
                if (PathRegex.isRegex(path)) {
                    try {
                        PathRegex.compile(path);
                    } catch (IllegalArgumentException e) {
                        errors.add(new ConfigError("route", name, "paths[" + p + "]", "'" + path + "': " + e.getMessage()));
                    }
                } else if (!path.startsWith("/")) {
                    errors.add(new ConfigError("route", name, "paths[" + p + "]",
                            "'" + path + "' (expected: a prefix starting with / or a regex starting with ~)"));
                }
            }
            Set<String> methods = new LinkedHashSet<>();
            for (int m = 0; m < r.getMethodsCount(); m++) {
                String method = r.getMethods(m);
                if (!METHOD.matcher(method).matches()) {
                    errors.add(new ConfigError("route", name, "methods[" + m + "]",
                            "'" + method + "' (expected: an upper-case method such as GET)"));
                }
                methods.add(method);
            }
            boolean matchable = errors.size() == before; // named once, with a match the table can compile
            TargetGroup upstream = null;
            RouteSite site = null;
            RouteActions actions = RouteActions.from(r, errors);
            boolean redirects = actions != null && actions.redirect() != null;
            if (r.hasSite() && redirects) {
                errors.add(new ConfigError("route", name, "redirect", "set with a site (expected: one of them)"));
            } else if (r.hasSite()) {
                site = routeSite(r, name, snapshot, sites, errors);
            } else if (redirects && !r.getUpstream().isEmpty()) {
                errors.add(new ConfigError("route", name, "redirect", "set with an upstream (expected: one of them)"));
            } else if (redirects) {
                // answered by the proxy: no upstream
            } else if (r.getUpstream().isEmpty()) {
                errors.add(new ConfigError("route", name, "upstream", "must not be empty"));
            } else if (!upstreams.containsKey(r.getUpstream())) {
                errors.add(new ConfigError("route", name, "upstream",
                        "'" + r.getUpstream() + "' (expected: the name of an upstream in this snapshot)"));
            } else if (upstreams.get(r.getUpstream()) == null) {
                if (errors.size() == before) { // the route's own mistakes say enough; this one only if it has none
                    errors.add(new ConfigError("route", name, "upstream",
                            "'" + r.getUpstream() + "' is quarantined on this proxy"));
                }
            } else {
                upstream = upstreams.get(r.getUpstream());
            }
            RouteTimeouts timeouts = timeouts(r.getTimeouts(), name, errors);
            if (r.getHstsMaxAgeS() < 0 || r.getHstsMaxAgeS() > 63_072_000) {
                errors.add(new ConfigError("route", name, "hsts_max_age_s", r.getHstsMaxAgeS() + " (expected: 0-63072000)"));
            }
            double sample = r.getAccessLog().getOff() ? 0 : r.getAccessLog().getSample() == 0 ? 1 : r.getAccessLog().getSample();
            if (!(sample >= 0 && sample <= 1)) { // NaN fails too
                errors.add(new ConfigError("route", name, "access_log.sample", r.getAccessLog().getSample() + " (expected: 0-1)"));
            }
            RouteCache cache = RouteCaches.from(r, name, errors);
            RateLimitSpec rateLimit = r.hasRateLimit() ? RateLimitSpec.from(name, r.getRateLimit(), errors) : null;
            if (r.getMaxBodyBytes() < 0) {
                errors.add(new ConfigError("route", name, "max_body_bytes", r.getMaxBodyBytes() + " (expected: >= 0)"));
            }
            if (errors.size() == before && (upstream != null || site != null || redirects)) {
                routes.add(new RouteRule(r.getName(), hosts, r.getPathsList(), methods, upstream, timeouts,
                        RouteHttps.of(r.getHttpsRedirect(), r.getHstsMaxAgeS(), r.getHstsIncludeSubdomains()),
                        meters.meter(r.getName(), upstream == null ? "" : upstream.name()), sample, site, cache, actions,
                        rateLimit, r.getMaxBodyBytes()));
            } else if (errors.size() != before && matchable) {
                routes.add(Quarantine.standIn(r.getName(), hosts, r.getPathsList(), methods, meters));
            }
        }
        TlsCertificates.Prepared tls = TlsCertificates.prepare(snapshot, running.tls(), errors);
        AcmeChallenges acme = AcmeChallenges.from(snapshot.getAcmeHttpChallengesList(),
                snapshot.getAcmeTlsAlpnChallengesList(), errors);
        List<ConfigError> whole = errors.stream().filter(Quarantine::wholeSnapshot).toList();
        if (!whole.isEmpty()) {
            throw new InvalidConfigException(whole);
        }
        upstreams.values().removeIf(java.util.Objects::isNull); // the quarantined ones' placeholders
        // the certificates were checked above; their contexts compile on first use (see CertificateContext)
        return new PartialConfig(new RuntimeConfig(snapshot.getVersion(), RouteTable.compile(routes), upstreams,
                tls.build(), acme, sites, CachePurges.from(snapshot)), errors);
    }

    /** A route serves a site's files instead of proxying: exactly one of the two, and the site must be deployed. */
    private static RouteSite routeSite(io.edgeway.proto.v1.Route r, String name, Snapshot snapshot, Sites sites,
            List<ConfigError> errors) {
        int before = errors.size();
        if (!r.getUpstream().isEmpty()) {
            errors.add(new ConfigError("route", name, "upstream", "must be empty on a route that serves a site"));
        }
        String site = r.getSite().getName();
        if (snapshot.getSitesList().stream().noneMatch(d -> d.getSite().equals(site))) {
            errors.add(new ConfigError("route", name, "site.name",
                    "'" + site + "' (expected: a site with a deployment in this snapshot)"));
        } else if (sites.get(site) == null && errors.size() == before) {
            errors.add(new ConfigError("route", name, "site.name", "'" + site + "' is quarantined on this proxy"));
        }
        return errors.size() == before ? new RouteSite(site, r.getSite().getSpa()) : null;
    }

    private static RouteTimeouts timeouts(Timeouts t, String route, List<ConfigError> errors) {
        long connect = positiveOrDefault(t.getConnectMs(), RouteTimeouts.DEFAULT_CONNECT_MS,
                route, "timeouts.connect_ms", errors);
        long firstByte = positiveOrDefault(t.getFirstByteMs(), RouteTimeouts.DEFAULT_FIRST_BYTE_MS,
                route, "timeouts.first_byte_ms", errors);
        long idle = positiveOrDefault(t.getIdleMs(), RouteTimeouts.DEFAULT_IDLE_MS,
                route, "timeouts.idle_ms", errors);
        return connect > 0 && firstByte > 0 && idle > 0 ? new RouteTimeouts(connect, firstByte, idle)
                : RouteTimeouts.DEFAULTS;
    }

    private static long positiveOrDefault(long value, long dflt, String route, String field,
            List<ConfigError> errors) {
        if (value < 0) {
            errors.add(new ConfigError("route", route, field, value + " (expected: >= 0, 0 = default)"));
            return dflt;
        }
        return value == 0 ? dflt : value;
    }
}
