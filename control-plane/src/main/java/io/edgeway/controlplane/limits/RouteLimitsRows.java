package io.edgeway.controlplane.limits;

import io.edgeway.controlplane.model.RateLimit;
import io.edgeway.controlplane.model.RouteLimits;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;

/** A route's limits in the columns of migration V9_60 (NULL rate_limit_requests: no rate limit). */
public final class RouteLimitsRows {
    /** The columns, in the order {@link #bind} sets them. */
    public static final String COLUMNS = "rate_limit_requests, rate_limit_per_ms, rate_limit_burst, rate_limit_by,"
            + " rate_limit_scope, max_body_bytes";
    public static final String ASSIGNMENTS = "rate_limit_requests = ?, rate_limit_per_ms = ?, rate_limit_burst = ?,"
            + " rate_limit_by = ?, rate_limit_scope = ?, max_body_bytes = ?";
    public static final int COUNT = 6;

    private RouteLimitsRows() {}

    public static void bind(PreparedStatement ps, int from, RouteLimits limits) throws SQLException {
        RateLimit r = limits.rateLimit();
        if (r == null) {
            for (int i = 0; i < 5; i++) {
                ps.setNull(from + i, i == 1 ? Types.BIGINT : i == 3 || i == 4 ? Types.VARCHAR : Types.INTEGER);
            }
        } else {
            ps.setInt(from, r.requests());
            ps.setLong(from + 1, r.per().toMillis());
            ps.setInt(from + 2, r.burst());
            ps.setString(from + 3, r.by());
            ps.setString(from + 4, r.scope());
        }
        ps.setLong(from + 5, limits.maxBodyBytes());
    }

    public static RouteLimits read(ResultSet rs) throws SQLException {
        int requests = rs.getInt("rate_limit_requests");
        RateLimit rate = rs.wasNull() ? null : new RateLimit(requests, Duration.ofMillis(rs.getLong("rate_limit_per_ms")),
                rs.getInt("rate_limit_burst"), rs.getString("rate_limit_by"), rs.getString("rate_limit_scope"));
        return new RouteLimits(rate, rs.getLong("max_body_bytes"));
    }
}
