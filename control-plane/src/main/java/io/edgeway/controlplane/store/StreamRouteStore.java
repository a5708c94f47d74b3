package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * L4 stream routes in PostgreSQL, referring to their upstream by id. Every write goes through the revision
 * log; the proxies do not receive stream routes yet (they are not in the snapshot).
 */
public final class StreamRouteStore {
    private static final String SELECT = """
            SELECT r.*, u.name AS upstream_name FROM stream_routes r JOIN upstreams u ON u.id = r.upstream_id""";
    static final EntityKind<StreamRoute> KIND = EntityKind.of("stream_route", "stream_routes", SELECT, "r",
                    StreamRouteStore::read, StreamRoute::name, EntityJson::streamRoute,
                    (c, id, r, revision) -> write(c, null, r, revision), StreamRouteStore::write)
            .withConflictCheck(StreamRouteStore::checkPortFree);

    private final RevisionLog log;

    public StreamRouteStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    public List<Stored<StreamRoute>> page(List<String> tags, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, limit, offset);
    }

    /** A page of those whose name contains {@code nameContains} (any case; null: all). */
    public List<Stored<StreamRoute>> page(List<String> tags, String nameContains, int limit, int offset) {
        return EntityWrites.page(log, KIND, tags, nameContains, limit, offset);
    }

    public Stored<StreamRoute> get(String key) {
        return EntityWrites.get(log, KIND, key);
    }

    public Written<Stored<StreamRoute>> create(StreamRoute r) {
        return EntityWrites.create(log, KIND, r);
    }

    public Written<Stored<StreamRoute>> put(String key, StreamRoute r, String ifMatch) {
        return EntityWrites.put(log, KIND, key, r, ifMatch);
    }

    public Written<Void> delete(String key, String ifMatch) {
        return EntityWrites.delete(log, KIND, key, ifMatch);
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
        return EntityWrites.all(c, KIND);
    }

    /**
     * The listen port with its protocol belongs to no other stream route (409), except that TCP routes with
     * snis share a port: the ClientHello's server name picks one, so their snis must not overlap, and at most
     * one route on the port (the default) may have none.
     */
    private static void checkPortFree(Connection c, StreamRoute r, UUID self) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, snis FROM stream_routes WHERE listen_port = ? AND protocol = ? AND id IS DISTINCT FROM ?")) {
            ps.setInt(1, r.listenPort());
            ps.setString(2, r.protocol());
            ps.setObject(3, self);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> theirs = Rows.strings(rs, "snis");
                    boolean shared = r.protocol().equals("tcp") && (!r.snis().isEmpty() || !theirs.isEmpty())
                            && r.snis().stream().noneMatch(theirs::contains);
                    if (!shared) {
                        throw new ConflictException("listen_port", "listen_port: " + r.listenPort() + "/" + r.protocol()
                                + " (expected: a port no other stream route listens on with " + r.protocol()
                                + ", or tcp routes whose snis differ; stream route " + rs.getString(1) + " is there)");
                    }
                }
            }
        }
    }

    /** Inserts ({@code id} null) or updates the row, then reads it back with its upstream's name. */
    static Stored<StreamRoute> write(Connection c, UUID id, StreamRoute r, long revision) throws SQLException {
        UUID upstream = UpstreamStore.idByName(c, r.upstream());
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
        return EntityWrites.find(c, KIND, rowId.toString(), false).orElseThrow();
    }

    private static Stored<StreamRoute> read(ResultSet rs) throws SQLException {
        StreamRoute r = new StreamRoute(rs.getString("name"), Rows.strings(rs, "tags"), rs.getInt("listen_port"),
                rs.getString("protocol"), Rows.strings(rs, "snis"), rs.getString("upstream_name"));
        return new Stored<>(Rows.uuid(rs, "id"), r, Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
