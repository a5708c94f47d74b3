package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * L4 stream routes in PostgreSQL, referring to their upstream by id. Every write goes through the revision
 * log; the proxies do not receive stream routes yet (they are not in the snapshot).
 */
public final class StreamRouteStore {
    private static final String KIND = "stream_route";
    private static final String SELECT = """
            SELECT r.*, u.name AS upstream_name FROM stream_routes r JOIN upstreams u ON u.id = r.upstream_id""";

    private final RevisionLog log;

    public StreamRouteStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    public List<Stored<StreamRoute>> page(List<String> tags, int limit, int offset) {
        return log.db().consistentRead(c -> Rows.list(c, SELECT + " WHERE r.tags @> ? ORDER BY r.name LIMIT ? OFFSET ?", StreamRouteStore::read,
                Rows.textArray(c, tags), limit, offset));
    }

    public Stored<StreamRoute> get(String key) {
        return log.db().consistentRead(c -> find(c, key, false)).orElseThrow(() -> new NotFoundException(KIND, key));
    }

    public Written<Stored<StreamRoute>> create(StreamRoute r) {
        requireNonNull(r, "r");
        return log.write((c, revision) -> {
            checkFree(c, r, null);
            Stored<StreamRoute> s = write(c, null, r, revision);
            RevisionLog.record(c, revision, KIND, s.id(), r.name(), "create", null, EntityJson.streamRoute(s));
            return new Written<>(s, revision, true);
        });
    }

    public Written<Stored<StreamRoute>> put(String key, StreamRoute r, String ifMatch) {
        requireNonNull(key, "key");
        requireNonNull(r, "r");
        return log.write((c, revision) -> {
            Optional<Stored<StreamRoute>> existing = find(c, key, true);
            Precondition.check(ifMatch, existing.orElse(null));
            if (existing.isEmpty()) {
                Rows.requireCreatable(KIND, key, r.name());
                checkFree(c, r, null);
                Stored<StreamRoute> s = write(c, null, r, revision);
                RevisionLog.record(c, revision, KIND, s.id(), r.name(), "create", null, EntityJson.streamRoute(s));
                return new Written<>(s, revision, true);
            }
            Stored<StreamRoute> before = existing.get();
            checkFree(c, r, before.id());
            Stored<StreamRoute> after = write(c, before.id(), r, revision);
            RevisionLog.record(c, revision, KIND, after.id(), r.name(), "update",
                    EntityJson.streamRoute(before), EntityJson.streamRoute(after));
            return new Written<>(after, revision, false);
        });
    }

    public Written<Void> delete(String key, String ifMatch) {
        requireNonNull(key, "key");
        return log.write((c, revision) -> {
            Stored<StreamRoute> before = find(c, key, true).orElseThrow(() -> new NotFoundException(KIND, key));
            Precondition.check(ifMatch, before);
            Rows.deleteById(c, "stream_routes", before.id());
            RevisionLog.record(c, revision, KIND, before.id(), before.value().name(), "delete",
                    EntityJson.streamRoute(before), null);
            return new Written<>(null, revision, false);
        });
    }

    /** The names of the stream routes sending to upstream {@code id}, for the upstream's in-use check. */
    static List<String> using(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM stream_routes WHERE upstream_id = ? ORDER BY name")) {
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

    static List<Stored<StreamRoute>> all(Connection c) throws SQLException {
        return Rows.list(c, SELECT + " ORDER BY r.name", StreamRouteStore::read);
    }

    private static Optional<Stored<StreamRoute>> find(Connection c, String key, boolean lock) throws SQLException {
        UUID id = Rows.asId(key);
        try (PreparedStatement ps = c.prepareStatement(SELECT + (id != null ? " WHERE r.id = ?" : " WHERE r.name = ?")
                + (lock ? " FOR UPDATE OF r" : ""))) {
            ps.setObject(1, id != null ? id : key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The name, and the listen port with its protocol, belong to no other stream route (409). */
    private static void checkFree(Connection c, StreamRoute r, UUID self) throws SQLException {
        Optional<Stored<StreamRoute>> holder = find(c, r.name(), false);
        if (holder.isPresent() && !holder.get().id().equals(self)) {
            throw new ConflictException("name", "name: " + r.name() + " (expected: a name no other stream route uses)");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name FROM stream_routes WHERE listen_port = ? AND protocol = ? AND id IS DISTINCT FROM ?")) {
            ps.setInt(1, r.listenPort());
            ps.setString(2, r.protocol());
            ps.setObject(3, self);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new ConflictException("listen_port", "listen_port: " + r.listenPort() + "/" + r.protocol()
                            + " (expected: a port no other stream route listens on with " + r.protocol()
                            + "; stream route " + rs.getString(1) + " does)");
                }
            }
        }
    }

    private static UUID upstreamId(Connection c, String name) throws SQLException {
        Optional<Stored<Upstream>> u = Rows.asId(name) == null ? UpstreamStore.find(c, name) : Optional.empty();
        return u.map(Stored::id).orElseThrow(() ->
                new ValidationException("upstream", "upstream: " + name + " (expected: the name of an existing upstream)"));
    }

    /** Inserts ({@code id} null) or updates the row, then reads it back with its upstream's name. */
    static Stored<StreamRoute> write(Connection c, UUID id, StreamRoute r, long revision) throws SQLException {
        UUID upstream = upstreamId(c, r.upstream());
        UUID rowId = id != null ? id : UUID.randomUUID();
        String sql = id == null
                ? """
                  INSERT INTO stream_routes (name, tags, listen_port, protocol, snis, upstream_id, revision, id,
                      created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), now())"""
                : """
                  UPDATE stream_routes SET name = ?, tags = ?, listen_port = ?, protocol = ?, snis = ?, upstream_id = ?,
                      revision = ?, updated_at = now()
                  WHERE id = ?""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, r.name());
            ps.setArray(2, Rows.textArray(c, r.tags()));
            ps.setInt(3, r.listenPort());
            ps.setString(4, r.protocol());
            ps.setArray(5, Rows.textArray(c, r.snis()));
            ps.setObject(6, upstream);
            ps.setLong(7, revision);
            ps.setObject(8, rowId);
            ps.executeUpdate();
        }
        return find(c, rowId.toString(), false).orElseThrow();
    }

    private static Stored<StreamRoute> read(ResultSet rs) throws SQLException {
        StreamRoute r = new StreamRoute(rs.getString("name"), Rows.strings(rs, "tags"), rs.getInt("listen_port"),
                rs.getString("protocol"), Rows.strings(rs, "snis"), rs.getString("upstream_name"));
        return new Stored<>(Rows.uuid(rs, "id"), r, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
