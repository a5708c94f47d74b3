package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Https;
import io.edgeway.controlplane.model.Timeouts;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
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

/** Routes in PostgreSQL. A route refers to its upstream by id; the API speaks its name. */
public final class RouteStore {
    private static final String KIND = "route";
    private static final String SELECT = """
            SELECT r.*, u.name AS upstream_name FROM routes r JOIN upstreams u ON u.id = r.upstream_id""";

    private final RevisionLog log;

    public RouteStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    public List<Stored<Route>> list() {
        return log.db().consistentRead(RouteStore::all);
    }

    /** Up to {@code limit} entities having every tag in {@code tags}, in name order from {@code offset}. */
    public List<Stored<Route>> page(List<String> tags, int limit, int offset) {
        return log.db().consistentRead(c -> Rows.list(c, SELECT + " WHERE r.tags @> ? ORDER BY r.name LIMIT ? OFFSET ?", RouteStore::read,
                Rows.textArray(c, tags), limit, offset));
    }

    public Stored<Route> get(String key) {
        return log.db().consistentRead(c -> find(c, key)).orElseThrow(() -> new NotFoundException(KIND, key));
    }

    public Written<Stored<Route>> create(Route r) {
        requireNonNull(r, "r");
        return log.write((c, revision) -> {
            checkNameFree(c, r.name(), null);
            Stored<Route> s = insert(c, UUID.randomUUID(), r, revision);
            RevisionLog.record(c, revision, KIND, s.id(), r.name(), "create", null, EntityJson.route(s));
            return new Written<>(s, revision, true);
        });
    }

    /** Replaces (when {@code ifMatch}, the raw If-Match header or null, matches) the route {@code key} names, or creates it when {@code key} is an unused name. */
    public Written<Stored<Route>> put(String key, Route r, String ifMatch) {
        requireNonNull(key, "key");
        requireNonNull(r, "r");
        return log.write((c, revision) -> {
            Optional<Stored<Route>> existing = find(c, key, true);
            Precondition.check(ifMatch, existing.orElse(null));
            if (existing.isEmpty()) {
                Rows.requireCreatable(KIND, key, r.name());
                checkNameFree(c, r.name(), null);
                Stored<Route> s = insert(c, UUID.randomUUID(), r, revision);
                RevisionLog.record(c, revision, KIND, s.id(), r.name(), "create", null, EntityJson.route(s));
                return new Written<>(s, revision, true);
            }
            Stored<Route> before = existing.get();
            checkNameFree(c, r.name(), before.id());
            Stored<Route> after = update(c, before.id(), r, revision);
            RevisionLog.record(c, revision, KIND, after.id(), r.name(), "update",
                    EntityJson.route(before), EntityJson.route(after));
            return new Written<>(after, revision, false);
        });
    }

    public Written<Void> delete(String key, String ifMatch) {
        requireNonNull(key, "key");
        return log.write((c, revision) -> {
            Stored<Route> before = find(c, key, true).orElseThrow(() -> new NotFoundException(KIND, key));
            Precondition.check(ifMatch, before);
            Rows.deleteById(c, "routes", before.id());
            RevisionLog.record(c, revision, KIND, before.id(), before.value().name(), "delete",
                    EntityJson.route(before), null);
            return new Written<>(null, revision, false);
        });
    }

    static List<Stored<Route>> all(Connection c) throws SQLException {
        return Rows.list(c, SELECT + " ORDER BY r.name", RouteStore::read);
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
        return find(c, key, false);
    }

    /** {@code lock}: hold the row until commit, so the If-Match check and the write see the same version. */
    static Optional<Stored<Route>> find(Connection c, String key, boolean lock) throws SQLException {
        UUID id = Rows.asId(key);
        try (PreparedStatement ps = c.prepareStatement(SELECT + (id != null ? " WHERE r.id = ?" : " WHERE r.name = ?")
                + (lock ? " FOR UPDATE OF r" : ""))) {
            ps.setObject(1, id != null ? id : key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static void checkNameFree(Connection c, String name, UUID self) throws SQLException {
        Optional<Stored<Route>> holder = find(c, name);
        if (holder.isPresent() && !holder.get().id().equals(self)) {
            throw new ConflictException("name", "name: " + name + " (expected: a name no other route uses)");
        }
    }

    private static UUID upstreamId(Connection c, String name) throws SQLException {
        // By name only: a route names its upstream, and a UUID-looking name is rejected at validation.
        Optional<Stored<Upstream>> u = Rows.asId(name) == null ? UpstreamStore.find(c, name) : Optional.empty();
        return u.map(Stored::id).orElseThrow(() ->
                new ValidationException("upstream", "upstream: " + name + " (expected: the name of an existing upstream)"));
    }

    static Stored<Route> insert(Connection c, UUID id, Route r, long revision) throws SQLException {
        UUID upstream = upstreamId(c, r.upstream());
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO routes (name, tags, hosts, paths, methods, upstream_id, connect_timeout_ms,
                                    first_byte_timeout_ms, idle_timeout_ms, id, revision, created_at, updated_at,
                                    https_redirect, hsts_max_age_s, hsts_include_subdomains)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), ?, ?, ?)""")) {
            bind(c, ps, r, upstream);
            ps.setObject(10, id);
            ps.setLong(11, revision);
            bindHttps(ps, 12, r);
            ps.executeUpdate();
        }
        return find(c, id.toString()).orElseThrow();
    }

    static Stored<Route> update(Connection c, UUID id, Route r, long revision) throws SQLException {
        UUID upstream = upstreamId(c, r.upstream());
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE routes SET name = ?, tags = ?, hosts = ?, paths = ?, methods = ?, upstream_id = ?,
                       connect_timeout_ms = ?, first_byte_timeout_ms = ?, idle_timeout_ms = ?, updated_at = now(),
                       revision = ?, https_redirect = ?, hsts_max_age_s = ?, hsts_include_subdomains = ?
                WHERE id = ?""")) {
            bind(c, ps, r, upstream);
            ps.setLong(10, revision);
            bindHttps(ps, 11, r);
            ps.setObject(14, id);
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

    private static Stored<Route> read(ResultSet rs) throws SQLException {
        Timeouts t = new Timeouts(duration(rs, "connect_timeout_ms"), duration(rs, "first_byte_timeout_ms"),
                duration(rs, "idle_timeout_ms"));
        Route r = new Route(rs.getString("name"), Rows.strings(rs, "tags"), Rows.strings(rs, "hosts"),
                Rows.strings(rs, "paths"), Rows.strings(rs, "methods"), rs.getString("upstream_name"), t,
                new Https(rs.getBoolean("https_redirect"), rs.getLong("hsts_max_age_s"), rs.getBoolean("hsts_include_subdomains")));
        return new Stored<>(Rows.uuid(rs, "id"), r, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
