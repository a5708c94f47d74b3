package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet's applied versions across replicas, in PostgreSQL: each replica writes what its connected nodes
 * have applied (and a heartbeat), so the ACME client, on whichever replica holds the lock, can wait for the
 * proxies connected to any replica. A replica whose heartbeat is older than {@code stale} counts as gone,
 * and its nodes with it (they reconnect elsewhere and are written again there).
 */
public final class FleetAcks {
    private final Database db;

    public FleetAcks(Database db) {
        this.db = requireNonNull(db, "db");
    }

    public void heartbeat(String replica) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO control_plane_replicas (replica, heartbeat_at) VALUES (?, now())
                    ON CONFLICT (replica) DO UPDATE SET heartbeat_at = now()""")) {
                ps.setString(1, replica);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void record(String replica, String nodeId, boolean connected, long appliedVersion) {
        record(replica, nodeId, connected, false, appliedVersion);
    }

    /** As above, with the node's draining state (a draining proxy no longer shares fleet-scoped rate limits). */
    public void record(String replica, String nodeId, boolean connected, boolean draining, long appliedVersion) {
        db.transaction(c -> {
            // a node that moved to another replica is that replica's now: a late write from here must not
            // mark it disconnected there
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO fleet_nodes (node_id, replica, connected, applied_version, draining, updated_at)
                    VALUES (?, ?, ?, ?, ?, now())
                    ON CONFLICT (node_id) DO UPDATE SET replica = EXCLUDED.replica, connected = EXCLUDED.connected,
                        applied_version = EXCLUDED.applied_version, draining = EXCLUDED.draining, updated_at = now()
                    WHERE fleet_nodes.replica = EXCLUDED.replica OR EXCLUDED.connected""")) {
                ps.setString(1, nodeId);
                ps.setString(2, replica);
                ps.setBoolean(3, connected);
                ps.setLong(4, appliedVersion);
                ps.setBoolean(5, draining);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Connected, non-draining nodes on live replicas: the N that fleet-scoped rate limits are divided by
     * (issue 18). A replica whose heartbeat is older than {@code stale} is gone, and its nodes with it.
     */
    public int serving(Duration stale) {
        return db.consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT count(*) FROM fleet_nodes n JOIN control_plane_replicas r ON r.replica = n.replica
                    WHERE n.connected AND NOT n.draining AND r.heartbeat_at > now() - ?::interval""")) {
                ps.setString(1, stale.toMillis() + " milliseconds");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Connected nodes, on live replicas, that have not applied {@code revision} yet. */
    public List<String> behind(long revision, Duration stale) {
        return db.consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT n.node_id FROM fleet_nodes n JOIN control_plane_replicas r ON r.replica = n.replica
                    WHERE n.connected AND n.applied_version < ? AND r.heartbeat_at > now() - ?::interval
                    ORDER BY n.node_id""")) {
                ps.setLong(1, revision);
                ps.setString(2, stale.toMillis() + " milliseconds");
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }
}
