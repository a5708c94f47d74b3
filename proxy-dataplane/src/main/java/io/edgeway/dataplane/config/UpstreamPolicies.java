package io.edgeway.dataplane.config;

import io.edgeway.dataplane.balancing.HashKey;
import io.edgeway.dataplane.balancing.HealthPolicy;
import io.edgeway.dataplane.balancing.Policy;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.tls.UpstreamTls;
import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HashOn;
import io.edgeway.proto.v1.PassiveHealthCheck;
import java.util.List;
import java.util.regex.Pattern;

/** Parses an upstream's balancing, health and TLS settings from the proto, collecting errors like the rest. */
final class UpstreamPolicies {
    private static final Pattern SNI = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private UpstreamPolicies() {}

    /** The upstream, or null after adding errors; {@code previous} is the same name in the running config. */
    static TargetGroup build(io.edgeway.proto.v1.Upstream u, List<Endpoint> targets, TargetGroup previous,
            List<ConfigError> errors) {
        String name = u.getName();
        int before = errors.size();
        Policy policy = switch (u.getPolicy()) {
            case ROUND_ROBIN -> Policy.ROUND_ROBIN;
            case WEIGHTED_ROUND_ROBIN -> Policy.WEIGHTED_ROUND_ROBIN;
            case LEAST_REQUEST -> Policy.LEAST_REQUEST;
            case CONSISTENT_HASH -> Policy.CONSISTENT_HASH;
            default -> {
                errors.add(new ConfigError("upstream", name, "policy",
                        u.getPolicyValue() + " (expected: a policy this proxy knows)"));
                yield Policy.ROUND_ROBIN;
            }
        };
        HashKey key = null;
        if (policy == Policy.CONSISTENT_HASH) {
            HashOn h = u.getHashOn();
            switch (h.getKeyCase()) {
                case HEADER -> key = named(h.getHeader(), HashKey.Kind.HEADER, name, "hash_on.header", errors);
                case COOKIE -> key = named(h.getCookie(), HashKey.Kind.COOKIE, name, "hash_on.cookie", errors);
                case CLIENT_IP -> key = HashKey.clientIp();
                default -> errors.add(new ConfigError("upstream", name, "hash_on",
                        "missing (expected: header, cookie or client_ip for consistent_hash)"));
            }
        }
        if (u.getSlowStartMs() < 0) {
            errors.add(new ConfigError("upstream", name, "slow_start_ms", u.getSlowStartMs() + " (expected: >= 0)"));
        }
        HealthPolicy health = health(u, errors);
        TargetGroup.Protocol protocol = switch (u.getProtocol()) {
            case HTTP1 -> TargetGroup.Protocol.HTTP1;
            case H2C -> TargetGroup.Protocol.H2C;
            default -> {
                errors.add(new ConfigError("upstream", name, "protocol",
                        u.getProtocolValue() + " (expected: a protocol this proxy knows)"));
                yield TargetGroup.Protocol.HTTP1;
            }
        };
        UpstreamTls tls = null;
        if (u.hasTls()) {
            String sni = u.getTls().getSni();
            check(sni.isEmpty() || (SNI.matcher(sni).matches() && !sni.matches("[0-9.]+")), name, "tls.sni",
                    "'" + sni + "' (expected: a DNS host name)", errors);
            try {
                tls = UpstreamTls.compile(!u.getTls().getSkipVerify(), sni, u.getTls().getCaPem(),
                        previous == null ? null : previous.tls());
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError("upstream", name, "tls.ca", e.getMessage()));
            }
        }
        if (errors.size() != before) {
            return null;
        }
        return new TargetGroup(name, targets, policy, key, u.getSlowStartMs(), health, protocol, tls, previous);
    }

    private static HashKey named(String value, HashKey.Kind kind, String upstream, String field,
            List<ConfigError> errors) {
        if (value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ';' || c == '=')) {
            errors.add(new ConfigError("upstream", upstream, field, "'" + value + "' (expected: a token)"));
            return null;
        }
        return new HashKey(kind, value);
    }

    private static HealthPolicy health(io.edgeway.proto.v1.Upstream u, List<ConfigError> errors) {
        if (!u.hasHealthCheck()) {
            return HealthPolicy.NONE;
        }
        String name = u.getName();
        HealthPolicy.Active active = null;
        if (u.getHealthCheck().hasActive()) {
            ActiveHealthCheck a = u.getHealthCheck().getActive();
            String f = "health_check.active.";
            // empty: a TCP connect check, for upstreams behind stream routes that speak no HTTP
            check(a.getPath().isEmpty() || a.getPath().startsWith("/"), name, f + "path",
                    "'" + a.getPath() + "' (expected: a path starting with /, or empty for a TCP connect check)", errors);
            int status = a.getExpectedStatus() == 0 ? 200 : a.getExpectedStatus();
            check(status >= 100 && status <= 599, name, f + "expected_status", status + " (expected: 100-599)", errors);
            check(a.getIntervalMs() > 0, name, f + "interval_ms", a.getIntervalMs() + " (expected: >= 1)", errors);
            check(a.getTimeoutMs() > 0, name, f + "timeout_ms", a.getTimeoutMs() + " (expected: >= 1)", errors);
            int up = a.getHealthyThreshold() == 0 ? 1 : a.getHealthyThreshold();
            int down = a.getUnhealthyThreshold() == 0 ? 1 : a.getUnhealthyThreshold();
            check(up <= 100, name, f + "healthy_threshold", up + " (expected: 1-100)", errors);
            check(down <= 100, name, f + "unhealthy_threshold", down + " (expected: 1-100)", errors);
            active = new HealthPolicy.Active(a.getPath(), status, a.getIntervalMs(), a.getTimeoutMs(), up, down);
        }
        HealthPolicy.Passive passive = null;
        if (u.getHealthCheck().hasPassive()) {
            PassiveHealthCheck p = u.getHealthCheck().getPassive();
            String f = "health_check.passive.";
            check(p.getConsecutiveFailures() >= 1 && p.getConsecutiveFailures() <= 1000, name,
                    f + "consecutive_failures", p.getConsecutiveFailures() + " (expected: 1-1000)", errors);
            check(p.getEjectionTimeMs() > 0, name, f + "ejection_time_ms",
                    p.getEjectionTimeMs() + " (expected: >= 1)", errors);
            passive = new HealthPolicy.Passive(p.getConsecutiveFailures(), p.getEjectionTimeMs());
        }
        return new HealthPolicy(active, passive);
    }

    private static void check(boolean ok, String upstream, String field, String message, List<ConfigError> errors) {
        if (!ok) {
            errors.add(new ConfigError("upstream", upstream, field, message));
        }
    }
}
