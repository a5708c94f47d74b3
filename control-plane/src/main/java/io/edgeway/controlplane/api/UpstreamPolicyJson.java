package io.edgeway.controlplane.api;

import io.edgeway.controlplane.model.HashOn;
import io.edgeway.controlplane.model.HealthCheck;
import io.edgeway.controlplane.model.ValidationException;
import java.time.Duration;
import java.util.Set;

/**
 * Reads an upstream's balancing, health and protocol fields: {@code policy}, {@code hash_on},
 * {@code slow_start}, {@code health_check} and {@code protocol}. Kept apart from {@link RequestJson} so that
 * file only gains the field names.
 */
final class UpstreamPolicyJson {
    static final Set<String> FIELDS = Set.of("policy", "hash_on", "slow_start", "health_check", "protocol");
    private static final Set<String> HASH_ON = Set.of("header", "cookie");
    private static final Set<String> HEALTH = Set.of("active", "passive");
    private static final Set<String> ACTIVE = Set.of("path", "expected_status", "interval", "timeout",
            "healthy_threshold", "unhealthy_threshold");
    private static final Set<String> PASSIVE = Set.of("consecutive_failures", "ejection_time");

    record Parsed(String policy, HashOn hashOn, Duration slowStart, HealthCheck healthCheck, String protocol) {}

    private UpstreamPolicyJson() {}

    static Parsed read(Fields f, Fields.Problems problems) {
        return new Parsed(f.string("policy"), hashOn(f, problems), f.duration("slow_start"),
                healthCheck(f, problems), f.string("protocol"));
    }

    private static HashOn hashOn(Fields f, Fields.Problems problems) {
        if (!f.has("hash_on")) {
            return null;
        }
        try {
            if (f.isString("hash_on")) {
                String s = f.string("hash_on");
                if (!s.equals("client_ip")) {
                    throw new ValidationException("hash_on", "hash_on: " + s
                            + " (expected: \"client_ip\", {\"header\":name} or {\"cookie\":name})");
                }
                return HashOn.ofClientIp();
            }
            Fields h = f.object("hash_on", HASH_ON);
            String header = h.string("header");
            String cookie = h.string("cookie");
            return problems.malformed.isEmpty() ? new HashOn(header, cookie, false) : null;
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
            return null;
        }
    }

    private static HealthCheck healthCheck(Fields f, Fields.Problems problems) {
        Fields hc = f.object("health_check", HEALTH);
        if (hc == null) {
            return null;
        }
        HealthCheck.Active active = null;
        Fields a = hc.object("active", ACTIVE);
        if (a != null) {
            String path = a.string("path");
            int status = a.integer("expected_status", HealthCheck.Active.DEFAULT_STATUS, "100-599");
            Duration interval = a.duration("interval");
            Duration timeout = a.duration("timeout");
            int up = a.integer("healthy_threshold", HealthCheck.Active.DEFAULT_THRESHOLD, "1-100");
            int down = a.integer("unhealthy_threshold", HealthCheck.Active.DEFAULT_THRESHOLD, "1-100");
            try {
                active = new HealthCheck.Active(path, status, interval, timeout, up, down);
            } catch (ValidationException e) {
                problems.invalid.addAll(e.errors());
            }
        }
        HealthCheck.Passive passive = null;
        Fields p = hc.object("passive", PASSIVE);
        if (p != null) {
            int failures = p.integer("consecutive_failures", HealthCheck.Passive.DEFAULT_FAILURES, "1-1000");
            Duration ejection = p.duration("ejection_time");
            try {
                passive = new HealthCheck.Passive(failures, ejection);
            } catch (ValidationException e) {
                problems.invalid.addAll(e.errors());
            }
        }
        return new HealthCheck(active, passive);
    }
}
