package io.edgeway.controlplane.api;

import io.edgeway.controlplane.model.HashOn;
import io.edgeway.controlplane.model.HealthCheck;
import io.edgeway.controlplane.model.UpstreamTls;
import io.edgeway.controlplane.model.ValidationException;
import java.time.Duration;
import java.util.Set;

/**
 * Reads an upstream's balancing, health and protocol fields: {@code policy}, {@code hash_on},
 * {@code slow_start}, {@code health_check}, {@code protocol} and {@code tls}. Kept apart from {@link RequestJson} so that
 * file only gains the field names.
 */
final class UpstreamPolicyJson {
    static final Set<String> FIELDS = Set.of("policy", "hash_on", "slow_start", "health_check", "protocol", "tls");
    private static final Set<String> TLS = Set.of("verify", "sni", "ca");
    private static final Set<String> HASH_ON = Set.of("header", "cookie");
    private static final Set<String> HEALTH = Set.of("active", "passive");
    private static final Set<String> ACTIVE = Set.of("path", "expected_status", "interval", "timeout",
            "healthy_threshold", "unhealthy_threshold");
    private static final Set<String> PASSIVE = Set.of("consecutive_failures", "ejection_time");

    record Parsed(String policy, HashOn hashOn, Duration slowStart, HealthCheck healthCheck, String protocol,
            UpstreamTls tls) {}

    private UpstreamPolicyJson() {}

    static Parsed read(Fields f, Fields.Problems problems) {
        return new Parsed(f.string("policy"), hashOn(f, problems), f.duration("slow_start"),
                healthCheck(f, problems), f.string("protocol"), tls(f, problems));
    }

    /** {@code tls}: absent is plaintext; {@code verify} defaults to true, so {@code "tls": {}} is verified TLS. */
    private static UpstreamTls tls(Fields f, Fields.Problems problems) {
        Fields t = f.object("tls", TLS);
        if (t == null) {
            return null;
        }
        boolean verify = t.bool("verify", true);
        String sni = t.string("sni");
        String ca = t.string("ca");
        if (!problems.malformed.isEmpty()) {
            return null;
        }
        try {
            return new UpstreamTls(verify, sni, ca);
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
            return null;
        }
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
