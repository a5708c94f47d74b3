package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.RouteSite;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Https;
import io.edgeway.controlplane.limits.RouteLimitsRows;
import io.edgeway.controlplane.model.AccessLogPolicy;
import io.edgeway.controlplane.model.Timeouts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Routes in PostgreSQL. A route refers to its upstream by id (the API speaks its name), or to a site by name. */
public final class RouteStore {
    private static final String SELECT = """
            SELECT r.*, u.name AS upstream_name FROM routes r LEFT JOIN upstreams u ON u.id = r.upstream_id""";
    static final EntityKind<Route> KIND = EntityKind.of("route", "routes", SELECT, "r", RouteStore::read, Route::name,
            EntityJson::route, RouteStore::insert, RouteStore::update);

    private final RevisionLog log;

    public RouteStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    public List<Stored<Route>> list() {
        return log.db().consistentRead(RouteStore::all);
    }

    /** Up to {@code limit} entities having every tag in {@code tags}, in name order from {@code offset}. */
    public List<Stored<Route>> page(List<String> tags, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, limit, offset);
    }

    /** A page of those whose name contains {@code nameContains} (any case; null: all). */
    public List<Stored<Route>> page(List<String> tags, String nameContains, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, nameContains, limit, offset);
    }

    public Stored<Route> get(String key) {
        return EntityWrites.get(log, KIND, key);
    }

    public Written<Stored<Route>> create(Route r) {
        return EntityWrites.create(log, KIND, r);
    }

    /** Replaces (when {@code ifMatch}, the raw If-Match header or null, matches) the route {@code key} names, or creates it when {@code key} is an unused name. */
    public Written<Stored<Route>> put(String key, Route r, String ifMatch) {
        return EntityWrites.put(log, KIND, key, r, ifMatch);
    }

    public Written<Void> delete(String key, String ifMatch) {
        return EntityWrites.delete(log, KIND, key, ifMatch);
    }

    static List<Stored<Route>> all(Connection c) throws SQLException {
        return EntityWrites.all(c, KIND);
    }

    /** The routes whose row was written by a revision after {@code revision} (inserted or updated since). */
    static List<Stored<Route>> writtenAfter(Connection c, long revision) throws SQLException {
        return Rows.list(c, SELECT + " WHERE r.revision > ?", RouteStore::read, revision);
    }

    static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM routes");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Set<UUID> ids(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM routes");
             ResultSet rs = ps.executeQuery()) {
            Set<UUID> out = new HashSet<>();
            while (rs.next()) {
                out.add(Rows.uuid(rs, "id"));
            }
            return out;
        }
    }

    static Optional<Stored<Route>> find(Connection c, String key) throws SQLException {
        return EntityWrites.find(c, KIND, key, false);
    }

    /** The upstream's id, or null for a route that serves a site (which must exist: 422 otherwise). */
    private static UUID upstreamOrSite(Connection c, Route r) throws SQLException {
        if (r.site() != null) {
            io.edgeway.controlplane.site.SiteRows.requireSite(c, r.site().name());
            return null;
        }
        return r.upstream() == null ? null : UpstreamStore.idByName(c, r.upstream()); // a redirect route has none
    }

    static Stored<Route> insert(Connection c, UUID id, Route r, long revision) throws SQLException {
        UUID upstream = upstreamOrSite(c, r);
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO routes (name, tags, hosts, paths, methods, upstream_id, connect_timeout_ms,
                                    first_byte_timeout_ms, idle_timeout_ms, id, revision, created_at, updated_at,
                                    https_redirect, hsts_max_age_s, hsts_include_subdomains,
                                    access_log_enabled, access_log_sample, site_name, site_spa, cache, actions, """
                + RouteLimitsRows.COLUMNS + """
                )
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb,
                        ?, ?, ?, ?, ?, ?)""")) {
            bind(c, ps, r, upstream);
            ps.setObject(10, id);
            ps.setLong(11, revision);
            bindHttps(ps, 12, r);
            bindAccessLog(ps, 15, r);
            bindSite(ps, 17, r);
            ps.setString(19, RouteCacheColumn.write(r.cache()));
            ps.setString(20, RouteActionsJson.column(r.actions()));
            RouteLimitsRows.bind(ps, 21, r.limits());
            ps.executeUpdate();
        }
        return find(c, id.toString()).orElseThrow();
    }

    static Stored<Route> update(Connection c, UUID id, Route r, long revision) throws SQLException {
        UUID upstream = upstreamOrSite(c, r);
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE routes SET name = ?, tags = ?, hosts = ?, paths = ?, methods = ?, upstream_id = ?,
                       connect_timeout_ms = ?, first_byte_timeout_ms = ?, idle_timeout_ms = ?, updated_at = now(),
                       revision = ?, https_redirect = ?, hsts_max_age_s = ?, hsts_include_subdomains = ?,
                       access_log_enabled = ?, access_log_sample = ?, site_name = ?, site_spa = ?, cache = ?::jsonb,
                       actions = ?::jsonb, """ + RouteLimitsRows.ASSIGNMENTS + """
                WHERE id = ?""")) {
            bind(c, ps, r, upstream);
            ps.setLong(10, revision);
            bindHttps(ps, 11, r);
            bindAccessLog(ps, 14, r);
            bindSite(ps, 16, r);
            ps.setString(18, RouteCacheColumn.write(r.cache()));
            ps.setString(19, RouteActionsJson.column(r.actions()));
            RouteLimitsRows.bind(ps, 20, r.limits());
            ps.setObject(20 + RouteLimitsRows.COUNT, id);
            ps.executeUpdate();
        }
        return find(c, id.toString()).orElseThrow();
    }

    private static void bind(Connection c, PreparedStatement ps, Route r, UUID upstream) throws SQLException {
        ps.setString(1, r.name());
        ps.setArray(2, Rows.textArray(c, r.tags()));
        ps.setArray(3, Rows.textArray(c, r.hosts()));
        ps.setArray(4, Rows.textArray(c, r.paths()));
        ps.setArray(5, Rows.textArray(c, r.methods()));
        ps.setObject(6, upstream);
        millis(ps, 7, r.timeouts().connect());
        millis(ps, 8, r.timeouts().firstByte());
        millis(ps, 9, r.timeouts().idle());
    }

    private static void bindHttps(PreparedStatement ps, int from, Route r) throws SQLException {
        ps.setBoolean(from, r.https().redirect());
        ps.setLong(from + 1, r.https().hstsMaxAgeSeconds());
        ps.setBoolean(from + 2, r.https().hstsIncludeSubdomains());
    }

    private static void bindAccessLog(PreparedStatement ps, int from, Route r) throws SQLException {
        ps.setBoolean(from, r.accessLog().enabled());
        ps.setDouble(from + 1, r.accessLog().sample());
    }

    private static void bindSite(PreparedStatement ps, int from, Route r) throws SQLException {
        ps.setString(from, r.site() == null ? null : r.site().name());
        ps.setBoolean(from + 1, r.site() != null && r.site().spa());
    }

    private static void millis(PreparedStatement ps, int index, Duration d) throws SQLException {
        if (d == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, d.toMillis());
        }
    }

    private static Duration duration(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofMillis(ms);
    }

    private static RouteSite site(ResultSet rs) throws SQLException {
        String name = rs.getString("site_name");
        return name == null ? null : new RouteSite(name, rs.getBoolean("site_spa"));
    }

    private static Stored<Route> read(ResultSet rs) throws SQLException {
        Timeouts t = new Timeouts(duration(rs, "connect_timeout_ms"), duration(rs, "first_byte_timeout_ms"),
                duration(rs, "idle_timeout_ms"));
        Route r = new Route(rs.getString("name"), Rows.strings(rs, "tags"), Rows.strings(rs, "hosts"),
                Rows.strings(rs, "paths"), Rows.strings(rs, "methods"), rs.getString("upstream_name"), t,
                new Https(rs.getBoolean("https_redirect"), rs.getLong("hsts_max_age_s"), rs.getBoolean("hsts_include_subdomains")),
                new AccessLogPolicy(rs.getBoolean("access_log_enabled"), rs.getDouble("access_log_sample")),
                site(rs), RouteCacheColumn.read(rs.getString("cache")), RouteActionsJson.fromColumn(rs.getString("actions")),
                RouteLimitsRows.read(rs));
        return new Stored<>(Rows.uuid(rs, "id"), r, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
