package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Fleet-wide cache purges (issue 17). A purge is a config write: it bumps the revision, so it travels to every
 * proxy in the next snapshot (the newest {@link #WINDOW} purges ride along), replicas hear of it by
 * LISTEN/NOTIFY like any write, and a proxy's Ack of that revision says it applied the purge.
 */
public final class CachePurgeStore {
    /** How many recent purges each snapshot carries; a proxy that missed older ones empties its cache. */
    public static final int WINDOW = 1000;

    /** One purge: {@code kind} url, prefix or tag; {@code value} "host/path", "host/prefix" or the tag. */
    public record Purge(long id, String kind, String value, long revision, Instant createdAt) {}

    /** The purges a snapshot carries, oldest first, and the highest purge id left out (0: none). */
    public record Window(List<Purge> recent, long floor) {
        public static final Window EMPTY = new Window(List.of(), 0);

        public Window {
            recent = List.copyOf(recent);
        }
    }

    private final RevisionLog revisions;

    public CachePurgeStore(RevisionLog revisions) {
        this.revisions = requireNonNull(revisions, "revisions");
    }

    public Written<Purge> create(String kind, String value) {
        return revisions.write((c, revision) -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cache_purges (kind, value, revision) VALUES (?, ?, ?) RETURNING id")) {
                ps.setString(1, kind);
                ps.setString(2, value);
                ps.setLong(3, revision);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            RevisionLog.record(c, revision, "cache_purge", new UUID(0, id), kind + ":" + value, "create", null,
                    Map.of("id", id, kind, value));
            return new Written<>(find(c, id).orElseThrow(), revision, true);
        });
    }

    public Optional<Purge> find(long id) {
        return revisions.db().transaction(c -> find(c, id));
    }

    private static Optional<Purge> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM cache_purges WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    static Window window(Connection c) throws SQLException {
        List<Purge> recent = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM cache_purges ORDER BY id DESC LIMIT " + WINDOW);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                recent.add(0, read(rs));
            }
        }
        if (recent.isEmpty()) {
            return Window.EMPTY;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(max(id), 0) FROM cache_purges WHERE id < ?")) {
            ps.setLong(1, recent.get(0).id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Window(recent, rs.getLong(1));
            }
        }
    }

    private static Purge read(ResultSet rs) throws SQLException {
        return new Purge(rs.getLong("id"), rs.getString("kind"), rs.getString("value"), rs.getLong("revision"),
                rs.getTimestamp("created_at").toInstant());
    }
}
