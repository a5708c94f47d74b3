package io.edgeway.controlplane.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.HashOn;
import io.edgeway.controlplane.model.HealthCheck;
import io.edgeway.controlplane.model.UpstreamTls;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upstream's {@code hash_on} and {@code health_check} in the admin API's shape, which is also how the
 * jsonb columns store them, so what is read back is exactly what the API returned.
 */
final class PolicyJson {
    private PolicyJson() {}

    static Object hashOn(HashOn h) {
        if (h.clientIp()) {
            return "client_ip";
        }
        return h.header() != null ? Map.of("header", h.header()) : Map.of("cookie", h.cookie());
    }

    static Map<String, Object> healthCheck(HealthCheck hc) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (hc.active() != null) {
            HealthCheck.Active a = hc.active();
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("path", a.path());
            am.put("expected_status", a.expectedStatus());
            am.put("interval", Durations.format(a.interval()));
            am.put("timeout", Durations.format(a.timeout()));
            am.put("healthy_threshold", a.healthyThreshold());
            am.put("unhealthy_threshold", a.unhealthyThreshold());
            m.put("active", am);
        }
        if (hc.passive() != null) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("consecutive_failures", hc.passive().consecutiveFailures());
            pm.put("ejection_time", Durations.format(hc.passive().ejectionTime()));
            m.put("passive", pm);
        }
        return m;
    }

    /** {@code verify} always (so the insecure choice is visible), {@code sni} and {@code ca} when set. */
    static Map<String, Object> tls(UpstreamTls t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verify", t.verify());
        if (t.sni() != null) {
            m.put("sni", t.sni());
        }
        if (t.ca() != null) {
            m.put("ca", t.ca());
        }
        return m;
    }

    static UpstreamTls readTls(String json) throws SQLException {
        return readTls(tree(json, "tls"));
    }

    /** {@code n} as {@link #tls} wrote it; null or missing: plaintext. */
    static UpstreamTls readTls(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return new UpstreamTls(n.path("verify").asBoolean(true), text(n, "sni"), text(n, "ca"));
    }

    static String write(Object value) {
        try {
            return value == null ? null : EntityJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serializable", e);
        }
    }

    static HashOn readHashOn(String json) throws SQLException {
        return readHashOn(tree(json, "hash_on"));
    }

    /** {@code n} as {@link #hashOn} wrote it, e.g. in a revision log after-image; null or missing: none. */
    static HashOn readHashOn(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return HashOn.ofClientIp();
        }
        return new HashOn(text(n, "header"), text(n, "cookie"), false);
    }

    static HealthCheck readHealthCheck(String json) throws SQLException {
        return readHealthCheck(tree(json, "health_check"));
    }

    /** {@code n} as {@link #healthCheck} wrote it; null or missing: none. */
    static HealthCheck readHealthCheck(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        HealthCheck.Active active = null;
        JsonNode a = n.get("active");
        if (a != null) {
            active = new HealthCheck.Active(a.get("path").asText(), a.get("expected_status").asInt(),
                    Durations.parse("interval", a.get("interval").asText()),
                    Durations.parse("timeout", a.get("timeout").asText()),
                    a.get("healthy_threshold").asInt(), a.get("unhealthy_threshold").asInt());
        }
        HealthCheck.Passive passive = null;
        JsonNode p = n.get("passive");
        if (p != null) {
            passive = new HealthCheck.Passive(p.get("consecutive_failures").asInt(),
                    Durations.parse("ejection_time", p.get("ejection_time").asText()));
        }
        return new HealthCheck(active, passive);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null ? null : v.asText();
    }

    private static JsonNode tree(String json, String column) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return EntityJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("upstreams." + column + ": unreadable jsonb", e);
        }
    }
}
