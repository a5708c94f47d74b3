package io.edgeway.controlplane.store;

import io.edgeway.controlplane.discovery.NodeSelector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses, inside the canary write's transaction, the node an N% rollout takes when its hash picks none of the
 * connected nodes ({@link NodeSelector#fallback}). The connected nodes are read from {@code fleet_nodes}, which
 * every replica writes, so the choice covers the whole fleet, not only the replica that took the write.
 */
final class CanaryFallback {
    /** As FleetAckRecorder's: a replica silent this long no longer counts, nor do its nodes. */
    private static final String STALE_REPLICA = "10 seconds";

    private CanaryFallback() {}

    static String choose(Connection c, String selector) throws SQLException {
        NodeSelector s = NodeSelector.parse(selector);
        if (s.percent() == 0) {
            return null;
        }
        List<String> connected = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.node_id FROM fleet_nodes n JOIN control_plane_replicas r ON r.replica = n.replica
                WHERE n.connected AND NOT n.draining AND r.heartbeat_at > now() - ?::interval""")) {
            ps.setString(1, STALE_REPLICA);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    connected.add(rs.getString(1));
                }
            }
        }
        return s.fallback(connected);
    }
}
