package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Upstreams in PostgreSQL. Every write goes through the revision log. */
public final class UpstreamStore {
    static final EntityKind<Upstream> KIND = EntityKind.of("upstream", "upstreams", "SELECT * FROM upstreams", null,
            UpstreamStore::read, Upstream::name, EntityJson::upstream, UpstreamStore::insert, UpstreamStore::update)
            .withDeleteCheck(UpstreamStore::checkUnused);
    private static final TypeReference<List<Target>> TARGETS = new TypeReference<>() {};

    private final RevisionLog log;

    public UpstreamStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    public List<Stored<Upstream>> list() {
        return log.db().consistentRead(UpstreamStore::all);
    }

    /** Up to {@code limit} entities having every tag in {@code tags}, in name order from {@code offset}. */
    public List<Stored<Upstream>> page(List<String> tags, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, limit, offset);
    }

    /** A page of those whose name contains {@code nameContains} (any case; null: all). */
    public List<Stored<Upstream>> page(List<String> tags, String nameContains, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, nameContains, limit, offset);
    }

    public Stored<Upstream> get(String key) {
        return EntityWrites.get(log, KIND, key);
    }

    public Written<Stored<Upstream>> create(Upstream u) {
        return EntityWrites.create(log, KIND, u);
    }

    /** Replaces (when {@code ifMatch}, the raw If-Match header or null, matches) the upstream {@code key} names, or creates it when {@code key} is an unused name. */
    public Written<Stored<Upstream>> put(String key, Upstream u, String ifMatch) {
        return EntityWrites.put(log, KIND, key, u, ifMatch);
    }

    /** How a target subresource write changes an upstream's targets; throws to refuse it. */
    @FunctionalInterface
    public interface TargetsChange {
        List<Target> apply(String upstream, List<Target> current);
    }

    /**
     * Rewrites the targets of the upstream {@code key} names (when {@code ifMatch} matches its ETag): one
     * normal upstream update, so it bumps the revision, logs before and after, and passes the snapshot check.
     */
    public Written<Stored<Upstream>> changeTargets(String key, String ifMatch, TargetsChange change) {
        requireNonNull(key, "key");
        requireNonNull(change, "change");
        return log.write((c, revision) -> {
            Stored<Upstream> before = find(c, key, true).orElseThrow(() -> new NotFoundException(KIND.kind(), key));
            Precondition.check(ifMatch, before);
            Upstream u = before.value();
            List<Target> targets = change.apply(u.name(), u.targets());
            Upstream changed = new Upstream(u.name(), u.tags(), targets, u.policy(), u.hashOn(), u.slowStart(), u.healthCheck(),
                    u.protocol(), u.tls());
            return EntityWrites.update(c, KIND, before, changed, revision);
        });
    }

    public Written<Void> delete(String key, String ifMatch) {
        return EntityWrites.delete(log, KIND, key, ifMatch);
    }

    /** Routes and stream routes name their upstream: it goes only once none does (422 naming them). */
    private static void checkUnused(Connection c, Stored<Upstream> before) throws SQLException {
        List<String> users = routesUsing(c, before.id());
        if (!users.isEmpty()) {
            throw new ValidationException("name", "name: " + before.value().name()
                    + " (expected: an upstream no route uses; used by routes " + String.join(", ", users) + ")");
        }
        List<String> streamUsers = StreamRouteStore.using(c, before.id());
        if (!streamUsers.isEmpty()) {
            throw new ValidationException("name", "name: " + before.value().name()
                    + " (expected: an upstream no stream route uses; used by stream routes " + String.join(", ", streamUsers) + ")");
        }
    }

    static List<Stored<Upstream>> all(Connection c) throws SQLException {
        return EntityWrites.all(c, KIND);
    }

    static Optional<Stored<Upstream>> find(Connection c, String key) throws SQLException {
        return find(c, key, false);
    }

    /** {@code lock}: hold the row until commit, so the If-Match check and the write see the same version. */
    static Optional<Stored<Upstream>> find(Connection c, String key, boolean lock) throws SQLException {
        return EntityWrites.find(c, KIND, key, lock);
    }

    /** The id of the upstream a route or stream route names (by name only: a UUID-looking name is refused at validation). */
    static UUID idByName(Connection c, String name) throws SQLException {
        Optional<Stored<Upstream>> u = Rows.asId(name) == null ? find(c, name) : Optional.empty();
        return u.map(Stored::id).orElseThrow(() ->
                new ValidationException("upstream", "upstream: " + name + " (expected: the name of an existing upstream)"));
    }

    private static List<String> routesUsing(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM routes WHERE upstream_id = ? ORDER BY name")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                return names;
            }
        }
    }

    static Stored<Upstream> insert(Connection c, UUID id, Upstream u, long revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO upstreams (id, name, tags, targets, policy, hash_on, slow_start_ms, health_check,
                    protocol, tls, created_at, updated_at, revision)
                VALUES (?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, now(), now(), ?) RETURNING *""")) {
            ps.setObject(1, id);
            ps.setString(2, u.name());
            ps.setArray(3, Rows.textArray(c, u.tags()));
            ps.setString(4, targetsJson(u.targets()));
            setPolicy(ps, 5, u);
            ps.setLong(11, revision);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    static Stored<Upstream> update(Connection c, UUID id, Upstream u, long revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE upstreams SET name = ?, tags = ?, targets = ?::jsonb, policy = ?, hash_on = ?::jsonb,
                    slow_start_ms = ?, health_check = ?::jsonb, protocol = ?, tls = ?::jsonb, updated_at = now(), revision = ?
                WHERE id = ? RETURNING *""")) {
            ps.setString(1, u.name());
            ps.setArray(2, Rows.textArray(c, u.tags()));
            ps.setString(3, targetsJson(u.targets()));
            setPolicy(ps, 4, u);
            ps.setLong(10, revision);
            ps.setObject(11, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    private static Stored<Upstream> read(ResultSet rs) throws SQLException {
        List<Target> targets;
        try {
            targets = EntityJson.MAPPER.readValue(rs.getString("targets"), TARGETS);
        } catch (JsonProcessingException e) {
            throw new SQLException("upstreams.targets: unreadable jsonb", e);
        }
        long slowStartMs = rs.getLong("slow_start_ms"); // 0 when NULL; a stored duration is never 0
        Upstream u = new Upstream(rs.getString("name"), Rows.strings(rs, "tags"), targets, rs.getString("policy"),
                PolicyJson.readHashOn(rs.getString("hash_on")), slowStartMs == 0 ? null
                        : Duration.ofMillis(slowStartMs), PolicyJson.readHealthCheck(rs.getString("health_check")),
                rs.getString("protocol"), PolicyJson.readTls(rs.getString("tls")));
        return new Stored<>(Rows.uuid(rs, "id"), u, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }

    /** Parameters {@code first}..{@code first + 5}: policy, hash_on, slow_start_ms, health_check, protocol, tls. */
    private static void setPolicy(PreparedStatement ps, int first, Upstream u) throws SQLException {
        ps.setString(first, u.policy());
        ps.setString(first + 1, u.hashOn() == null ? null : PolicyJson.write(PolicyJson.hashOn(u.hashOn())));
        if (u.slowStart() == null) {
            ps.setNull(first + 2, java.sql.Types.BIGINT);
        } else {
            ps.setLong(first + 2, u.slowStart().toMillis());
        }
        ps.setString(first + 3, u.healthCheck() == null ? null : PolicyJson.write(PolicyJson.healthCheck(u.healthCheck())));
        ps.setString(first + 4, u.protocol());
        ps.setString(first + 5, u.tls() == null ? null : PolicyJson.write(PolicyJson.tls(u.tls())));
    }

    private static String targetsJson(List<Target> targets) {
        try {
            return EntityJson.MAPPER.writeValueAsString(EntityJson.targets(targets));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("targets not serializable", e);
        }
    }
}
