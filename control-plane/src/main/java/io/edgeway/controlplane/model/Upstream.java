package io.edgeway.controlplane.model;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A named group of targets that routes send traffic to, with how to balance over them, how to tell
 * whether they are healthy and which protocol they speak. {@code hashOn}, {@code slowStart} and
 * {@code healthCheck} may be null (off); {@code protocol} null means {@link #HTTP1}; {@code tls} null means
 * plaintext to the targets (with TLS, {@code h2c} becomes HTTP/2 over TLS, negotiated by ALPN).
 */
public record Upstream(String name, List<String> tags, List<Target> targets, String policy, HashOn hashOn,
        Duration slowStart, HealthCheck healthCheck, String protocol, UpstreamTls tls) {
    public static final String ROUND_ROBIN = "round_robin";
    public static final String CONSISTENT_HASH = "consistent_hash";
    public static final Set<String> POLICIES = Set.of(ROUND_ROBIN, "weighted_round_robin", "least_request",
            CONSISTENT_HASH);
    /** HTTP/1.1 on pooled keep-alive connections, the default. */
    public static final String HTTP1 = "http1";
    /** HTTP/2 cleartext with prior knowledge: for targets that ask for HTTP/2 (gRPC always gets it). */
    public static final String H2C = "h2c";

    public Upstream {
        tags = tags == null ? List.of() : List.copyOf(tags);
        targets = targets == null ? List.of() : List.copyOf(targets);
        policy = policy == null ? ROUND_ROBIN : policy;
        protocol = protocol == null ? HTTP1 : protocol;
        var v = new ValidationException.Collector();
        Names.checkName(v, name);
        Names.checkTags(v, tags);
        v.check(POLICIES.contains(policy), "policy", "policy: " + policy
                + " (expected: one of consistent_hash, least_request, round_robin, weighted_round_robin)");
        if (policy.equals(CONSISTENT_HASH)) {
            v.check(hashOn != null, "hash_on", "hash_on: missing (expected: header, cookie or client_ip for consistent_hash)");
        } else if (POLICIES.contains(policy)) {
            v.check(hashOn == null, "hash_on", "hash_on: set (expected: only with policy consistent_hash)");
        }
        v.check(protocol.equals(HTTP1) || protocol.equals(H2C), "protocol",
                "protocol: " + protocol + " (expected: one of h2c, http1)");
        v.throwIfAny();
    }

    public Upstream(String name, List<String> tags, List<Target> targets) {
        this(name, tags, targets, ROUND_ROBIN, null, null, null, HTTP1, null);
    }
}
