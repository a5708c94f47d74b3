package io.edgeway.controlplane.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.RateLimit;
import io.edgeway.controlplane.model.RouteLimits;
import java.util.LinkedHashMap;
import java.util.Map;

/** A route's limits as the API and the declarative document spell them, and read back from that form. */
public final class RouteLimitsJson {
    private RouteLimitsJson() {}

    /** Adds {@code rate_limit} and {@code max_body_bytes} to a route's map when set (absent means none). */
    public static void put(Map<String, Object> route, RouteLimits limits) {
        RateLimit r = limits.rateLimit();
        if (r != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", r.requests());
            m.put("per", Durations.format(r.per()));
            m.put("burst", r.burst());
            m.put("by", r.by());
            m.put("scope", r.scope());
            route.put("rate_limit", m);
        }
        if (limits.maxBodyBytes() > 0) {
            route.put("max_body_bytes", limits.maxBodyBytes());
        }
    }

    /** Reads back what {@link #put} wrote. */
    public static RouteLimits read(JsonNode route) {
        JsonNode r = route.path("rate_limit");
        RateLimit rate = null;
        if (r.isObject()) {
            rate = new RateLimit(r.path("requests").asInt(), Durations.parse("rate_limit.per", r.path("per").asText()),
                    r.path("burst").asInt(), r.path("by").asText(), r.path("scope").asText("proxy"));
        }
        return new RouteLimits(rate, route.path("max_body_bytes").asLong(0));
    }
}
