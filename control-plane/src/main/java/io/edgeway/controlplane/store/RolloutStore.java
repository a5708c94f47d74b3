package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rollouts table. Every state change is a conditional UPDATE from the states it may leave, so replicas
 * (each running its own watcher) and an operator's click cannot both move one rollout: exactly one wins.
 */
public final class RolloutStore {
    private static final String COLUMNS = "id, revision, previous_revision, state, selector, bake_ms, max_error_ratio,"
            + " min_requests, started, bake_until, reason, restored_revision, ended, actor, max_p99_ratio, fallback_node";

    private final Database db;

    public RolloutStore(Database db) {
        this.db = requireNonNull(db, "db");
    }

    static void insert(Connection c, long revision, long previous, RolloutIntent.Canary canary) throws SQLException {
        String fallbackNode = CanaryFallback.choose(c, canary.selector());
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO rollouts (revision, previous_revision, state, selector, bake_ms, max_error_ratio, min_requests,
                                      bake_until, actor, max_p99_ratio, fallback_node)
                VALUES (?, ?, 'canary', ?, ?, ?, ?, now() + ? * interval '1 millisecond', ?, ?, ?)""")) {
            ps.setLong(1, revision);
            ps.setLong(2, previous);
            ps.setString(3, canary.selector());
            ps.setLong(4, canary.bake().toMillis());
            ps.setDouble(5, canary.maxErrorRatio());
            ps.setLong(6, canary.minRequests());
            ps.setLong(7, canary.bake().toMillis());
            ps.setString(8, Actor.current());
            ps.setDouble(9, canary.maxP99Ratio());
            ps.setString(10, fallbackNode);
            ps.executeUpdate();
        }
    }

    static Rollout open(Connection c) throws SQLException {
        List<Rollout> open = query(c, "WHERE state IN ('canary', 'paused')", -1, 1, 0);
        return open.isEmpty() ? null : open.get(0);
    }

    /** The newest rollout (open or not), which decides the plan; empty before the first. */
    public Optional<Rollout> newest() {
        return db.transaction(c -> query(c, "", -1, 1, 0).stream().findFirst());
    }

    public Optional<Rollout> get(long id) {
        return db.transaction(c -> query(c, "WHERE id = ?", id, 1, 0).stream().findFirst());
    }

    /** Newest first. */
    public List<Rollout> page(int limit, int offset) {
        return db.transaction(c -> query(c, "", -1, limit, offset));
    }

    /** Moves rollout {@code id} from one of {@code from} to {@code to}; false if it was in none of them. */
    public boolean move(long id, List<Rollout.State> from, Rollout.State to, String reason) {
        boolean ends = !to.open();
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET state = ?, reason = COALESCE(?, reason),"
                    + " ended = CASE WHEN ? THEN now() ELSE ended END,"
                    + " bake_until = CASE WHEN ?::text = 'paused' THEN NULL WHEN ?::text = 'canary' THEN now() + bake_ms * interval '1 millisecond'"
                    + " ELSE bake_until END"
                    + " WHERE id = ? AND state = ANY (?)")) {
                ps.setString(1, to.text());
                ps.setString(2, reason);
                ps.setBoolean(3, ends);
                ps.setString(4, to.text());
                ps.setString(5, to.text());
                ps.setLong(6, id);
                ps.setArray(7, c.createArrayOf("text", from.stream().map(Rollout.State::text).toArray()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Inside the restoring write's transaction: closes the rollout as {@code restore.to()} with {@code revision}
     * as its restoring revision, if it is still open. The row lock this UPDATE takes makes a racing move wait
     * for this transaction and then find the rollout closed (or this one find it moved).
     */
    static boolean closeRestored(Connection c, RolloutIntent.Restore restore, long revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET state = ?, reason = ?, ended = now(),"
                + " restored_revision = ? WHERE id = ? AND state IN ('canary', 'paused')")) {
            ps.setString(1, restore.to().text());
            ps.setString(2, restore.reason());
            ps.setLong(3, revision);
            ps.setLong(4, restore.rolloutId());
            return ps.executeUpdate() == 1;
        }
    }

    /** Records the revision that brought the previous content back after a rollback or abort. */
    public void restored(long id, long revision) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET restored_revision = ? WHERE id = ?")) {
                ps.setLong(1, revision);
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
    }

    private static List<Rollout> query(Connection c, String where, long id, int limit, int offset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM rollouts " + where
                + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
            int i = 1;
            if (id >= 0) {
                ps.setLong(i++, id);
            }
            ps.setInt(i++, limit);
            ps.setInt(i, offset);
            List<Rollout> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    private static Rollout row(ResultSet rs) throws SQLException {
        long restored = rs.getLong("restored_revision");
        Long restoredRevision = rs.wasNull() ? null : restored;
        return new Rollout(rs.getLong("id"), rs.getLong("revision"), rs.getLong("previous_revision"),
                Rollout.State.of(rs.getString("state")), rs.getString("selector"), Duration.ofMillis(rs.getLong("bake_ms")),
                rs.getDouble("max_error_ratio"), rs.getLong("min_requests"), instant(rs, "started"),
                instant(rs, "bake_until"), rs.getString("reason"), restoredRevision, instant(rs, "ended"),
                rs.getString("actor"), rs.getDouble("max_p99_ratio"), rs.getString("fallback_node"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
