package io.edgeway.dataplane.config;

import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.routing.RouteHttps;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.routing.RouteTimeouts;
import io.edgeway.dataplane.status.RouteMeters;
import java.util.List;
import java.util.Set;

/**
 * What partial rejection (issue 22) does with an entity the proxy cannot use.
 *
 * <p>Choices, for an SRE reading the ledger at 3 a.m.:
 * <ul>
 * <li>A quarantined entity is dropped, not kept at its previous good version: running an old copy of one route
 *     next to new copies of the others is a state nobody wrote and nobody can see; "quarantined" then means
 *     exactly "not served by this proxy", and the Ack and {@code /api/v1/nodes} say so.
 * <li>A quarantined route whose hosts, paths and methods are valid keeps matching them, and answers 503 (no
 *     target): falling through to a less specific route (often a catch-all) would send that traffic somewhere
 *     its author never meant, which is worse than a visible, alertable error. Its requests count under the
 *     route's own name in the metrics, with the upstream {@value #UPSTREAM}.
 * <li>What concerns the whole snapshot (its version; the session ticket keys every TLS context shares) still
 *     refuses it whole, as does a snapshot that cannot be parsed.
 * </ul>
 */
public final class Quarantine {
    /** The upstream name a quarantined route's stand-in reports in metrics. */
    public static final String UPSTREAM = "(quarantined)";

    private Quarantine() {}

    /** Whether {@code error} makes the snapshot unusable as a whole rather than one entity of it. */
    static boolean wholeSnapshot(ConfigError error) {
        return error.kind().equals("snapshot") || error.kind().equals("session_ticket_key");
    }

    /** The rule that holds a quarantined route's place in the table: same match, no target, so 503. */
    static RouteRule standIn(String name, List<String> hosts, List<String> paths, Set<String> methods,
            RouteMeters meters) {
        return new RouteRule(name, hosts, paths, methods, TargetGroup.roundRobin(UPSTREAM, List.of()),
                RouteTimeouts.DEFAULTS, RouteHttps.NONE, meters.meter(name, UPSTREAM));
    }
}
