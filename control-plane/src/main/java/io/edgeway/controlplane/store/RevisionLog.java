package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * The config revision counter and its log. Every write goes through {@link #write}: bump the counter
 * first (its row lock serializes all config writers, so the checks a write makes cannot race another
 * write), do the work, log it, and queue the NOTIFY — all in one transaction.
 */
public final class RevisionLog {
    public static final String CHANNEL = "edgeway_config";

    /** The body of one write, given the transaction and the revision it will commit as. */
    @FunctionalInterface
    public interface Change<T> {
        Written<T> apply(Connection c, long revision) throws SQLException;
    }

    private final Database db;
    private final LongConsumer committed;

    /** {@code committed} hears each revision after its commit, for a fast rebuild on this replica. */
    public RevisionLog(Database db, LongConsumer committed) {
        this.db = requireNonNull(db, "db");
        this.committed = requireNonNull(committed, "committed");
    }

    Database db() {
        return db;
    }

    <T> Written<T> write(Change<T> change) {
        Written<T> written = db.transaction(c -> {
            long revision;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("UPDATE config_revision SET revision = revision + 1 RETURNING revision")) {
                rs.next();
                revision = rs.getLong(1);
            }
            Written<T> w = change.apply(c, revision);
            // PostgreSQL delivers a NOTIFY only when its transaction commits: listeners never hear of a
            // revision that rolled back, and no crash between commit and send can lose it.
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, CHANNEL);
                ps.setString(2, Long.toString(revision));
                ps.execute();
            }
            return w;
        });
        committed.accept(written.revision());
        return written;
    }

    static void record(Connection c, long revision, String kind, UUID id, String name, String action,
                       Map<String, Object> before, Map<String, Object> after) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO revisions (revision, created_at, actor, entity_kind, entity_id, entity_name, action, before, after)
                VALUES (?, now(), ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
            ps.setLong(1, revision);
            ps.setString(2, Actor.current());
            ps.setString(3, kind);
            ps.setObject(4, id);
            ps.setString(5, name);
            ps.setString(6, action);
            ps.setString(7, json(before));
            ps.setString(8, json(after));
            ps.executeUpdate();
        }
    }

    public long current() {
        return db.transaction(RevisionLog::current);
    }

    static long current(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT revision FROM config_revision")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The newest {@code limit} log entries, newest first, in the API's JSON shape. */
    public List<Map<String, Object>> latest(int limit) {
        return db.consistentRead(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT * FROM revisions ORDER BY revision DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("revision", rs.getLong("revision"));
                        m.put("time", rs.getObject("created_at", OffsetDateTime.class).toInstant().toString());
                        m.put("actor", rs.getString("actor"));
                        m.put("entity_kind", rs.getString("entity_kind"));
                        m.put("entity_id", rs.getObject("entity_id", UUID.class).toString());
                        m.put("entity_name", rs.getString("entity_name"));
                        m.put("action", rs.getString("action"));
                        m.put("before", tree(rs.getString("before")));
                        m.put("after", tree(rs.getString("after")));
                        out.add(m);
                    }
                }
            }
            return out;
        });
    }

    private static String json(Map<String, Object> value) {
        try {
            return value == null ? null : EntityJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("revision log entry not serializable", e);
        }
    }

    private static Object tree(String json) {
        try {
            return json == null ? null : EntityJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("revision log entry not parseable", e);
        }
    }
}
