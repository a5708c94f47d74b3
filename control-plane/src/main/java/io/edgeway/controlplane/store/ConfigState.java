package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.site.Deployment;
import io.edgeway.controlplane.site.SiteRows;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole config at one revision, read in one REPEATABLE READ transaction so the parts agree. Certificates
 * (with sealed keys) and session ticket keys are read whole at every load: they change rarely and are few
 * next to routes. {@link #toString()} leaves the sealed bytes out.
 */
public record ConfigState(long revision, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes,
                          List<SealedCertificate> certificates, List<byte[]> sealedTicketKeys,
                          Map<String, String> acmeHttpChallenges, List<SealedCertificate> acmeTlsAlpnChallenges,
                          List<Deployment> sites, CachePurgeStore.Window cachePurges,
                          List<Stored<StreamRoute>> streamRoutes) {
    /**
     * The order {@link #load(Database, ConfigState)} keeps routes in: by name, in Java's order rather than the
     * database's collation, so a state merged in memory and one read whole list routes alike.
     */
    static final Comparator<Stored<Route>> BY_NAME = Comparator.comparing(r -> r.value().name());

    public ConfigState {
        upstreams = List.copyOf(upstreams);
        routes = List.copyOf(routes);
        certificates = List.copyOf(certificates);
        sealedTicketKeys = List.copyOf(sealedTicketKeys);
        acmeHttpChallenges = Map.copyOf(acmeHttpChallenges);
        acmeTlsAlpnChallenges = List.copyOf(acmeTlsAlpnChallenges);
        sites = List.copyOf(sites);
        cachePurges = cachePurges == null ? CachePurgeStore.Window.EMPTY : cachePurges;
        streamRoutes = List.copyOf(streamRoutes);
    }

    /** Without sites, purges and stream routes. */
    public ConfigState(long revision, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes,
                       List<SealedCertificate> certificates, List<byte[]> sealedTicketKeys,
                       Map<String, String> acmeHttpChallenges, List<SealedCertificate> acmeTlsAlpnChallenges) {
        this(revision, upstreams, routes, certificates, sealedTicketKeys, acmeHttpChallenges, acmeTlsAlpnChallenges,
                List.of(), CachePurgeStore.Window.EMPTY, List.of());
    }

    public ConfigState(long revision, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes,
                       List<SealedCertificate> certificates, List<byte[]> sealedTicketKeys) {
        this(revision, upstreams, routes, certificates, sealedTicketKeys, Map.of(), List.of());
    }

    @Override
    public String toString() {
        return "ConfigState[revision=" + revision + ", upstreams=" + upstreams.size() + ", routes=" + routes.size()
                + ", certificates=" + certificates + ", sessionTicketKeys=" + sealedTicketKeys.size()
                + ", acmeHttpChallenges=" + acmeHttpChallenges.size() + ", sites=" + sites
                + ", streamRoutes=" + streamRoutes.size() + "]";
    }

    /** A state without certificates: what the pre-commit check compiles (keys stay sealed there). */
    public ConfigState(long revision, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes) {
        this(revision, upstreams, routes, List.of(), List.of());
    }

    /**
     * The routes sorted by name: merged from {@code previous} and the rows written since it, or read whole when
     * there is no previous state or an upstream was renamed (its routes' references changed without a write).
     */
    private static List<Stored<Route>> routes(java.sql.Connection c, ConfigState previous,
            List<Stored<Upstream>> upstreams) throws java.sql.SQLException {
        if (previous == null || renamed(previous.upstreams(), upstreams)) {
            List<Stored<Route>> all = new ArrayList<>(RouteStore.all(c));
            all.sort(BY_NAME);
            return all;
        }
        return RouteMerge.merge(previous.routes(), RouteStore.writtenAfter(c, previous.revision()),
                RouteStore.count(c), () -> RouteStore.ids(c));
    }

    /**
     * What the pre-commit check compiles inside a write's transaction: upstreams, routes and the active deployment
     * of every site a route serves (so a site route is checked like any other); no certificates, whose keys stay
     * sealed here.
     */
    static ConfigState toVerify(java.sql.Connection c, long revision) throws java.sql.SQLException {
        return toVerify(c, revision, null);
    }

    /**
     * As {@link #toVerify(java.sql.Connection, long)}, reading only the route rows stamped after {@code previous}
     * (a state a committed write verified; null: read all) as {@link #load(Database, ConfigState)} does. The rows
     * this transaction wrote carry its revision, so they are among those read.
     */
    static ConfigState toVerify(java.sql.Connection c, long revision, ConfigState previous) throws java.sql.SQLException {
        List<Stored<Upstream>> upstreams = UpstreamStore.all(c);
        List<Stored<Route>> routes = routes(c, previous, upstreams);
        return new ConfigState(revision, upstreams, routes, List.of(), List.of(), Map.of(), List.of(),
                sites(c, routes, null), CachePurgeStore.Window.EMPTY, List.of());
    }

    public static ConfigState load(Database db) {
        requireNonNull(db, "db");
        return db.consistentRead(c -> {
            List<Stored<Route>> routes = RouteStore.all(c);
            return new ConfigState(RevisionLog.current(c), UpstreamStore.all(c), routes,
                    CertificateStore.sealedAll(c), SessionTicketKeys.sealedNewestFirst(c), AcmeStore.httpChallenges(c),
                    AcmeStore.tlsAlpnChallenges(c), sites(c, routes, null), CachePurgeStore.window(c),
                    StreamRouteStore.all(c));
        });
    }

    /**
     * The current config, reading only the routes written since {@code previous} (null: read all) and reusing
     * the {@link Stored} objects of the others, so a one-route change to 10,000 routes reads one route row.
     * Every write stamps the rows it touches with its revision, and revisions commit in order (the revision
     * row is locked until commit), so rows not stamped after {@code previous.revision()} are unchanged since.
     * Deletions are found by the count; a renamed upstream (its routes' rows are not rewritten, yet they name
     * it) makes it read all routes again.
     */
    public static ConfigState load(Database db, ConfigState previous) {
        requireNonNull(db, "db");
        return db.consistentRead(c -> {
            long revision = RevisionLog.current(c);
            if (previous != null && revision == previous.revision()) {
                return previous;
            }
            List<Stored<Upstream>> upstreams = UpstreamStore.all(c);
            List<Stored<Route>> routes = routes(c, previous, upstreams);
            return new ConfigState(revision, upstreams, routes, CertificateStore.sealedAll(c),
                    SessionTicketKeys.sealedNewestFirst(c), AcmeStore.httpChallenges(c), AcmeStore.tlsAlpnChallenges(c),
                    sites(c, routes, previous), CachePurgeStore.window(c), StreamRouteStore.all(c));
        });
    }

    /**
     * The active deployment of every site a route serves. A deployment never changes once active, so those
     * {@code previous} already holds are reused, not read again (a manifest may list thousands of files).
     */
    private static List<Deployment> sites(java.sql.Connection c, List<Stored<Route>> routes, ConfigState previous)
            throws java.sql.SQLException {
        java.util.Set<String> served = new java.util.TreeSet<>();
        routes.forEach(r -> {
            if (r.value().site() != null) {
                served.add(r.value().site().name());
            }
        });
        Map<UUID, Deployment> known = new HashMap<>();
        if (previous != null) {
            previous.sites().forEach(d -> known.put(d.id(), d));
        }
        return SiteRows.activeDeployments(c, served, known);
    }

    private static boolean renamed(List<Stored<Upstream>> before, List<Stored<Upstream>> after) {
        Map<UUID, String> names = new HashMap<>();
        before.forEach(u -> names.put(u.id(), u.value().name()));
        for (Stored<Upstream> u : after) {
            String old = names.get(u.id());
            if (old != null && !old.equals(u.value().name())) {
                return true;
            }
        }
        return false;
    }
}
