package io.edgeway.controlplane.rollout;

import io.edgeway.controlplane.discovery.FleetLoad;
import io.edgeway.controlplane.discovery.FleetLoad.RouteWindow;
import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.RolloutPlan;
import io.edgeway.controlplane.store.Rollout;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Why a baking canary should be rolled back, or null, from the load reports the proxies send (the fleet
 * metrics of issue 16):
 * <ul>
 *   <li>a canary node refused the revision;</li>
 *   <li>a route's 5xx ratio on the canary nodes is over the rollout's limit AND over the same route's ratio on
 *       the other nodes (a target that is down for everyone is not the new config's fault);</li>
 *   <li>a route's p99 on the canary nodes is over {@code maxP99Ratio} times its p99 on the other nodes over
 *       the same time, or, when the others served it too little, the canaries' own p99 before the rollout.</li>
 * </ul>
 * Every comparison needs {@code minRequests} requests on each side, so a quiet route cannot decide.
 */
final class CanaryHealth {
    /**
     * p99s below this count as this: under a few milliseconds, bucket interpolation and scheduling noise decide
     * the ratio, and 1 ms against 3 ms is not an outage.
     */
    static final double P99_FLOOR_SECONDS = 0.005;

    private CanaryHealth() {}

    static String failure(Rollout r, RolloutPlan plan, NodeLedger ledger) {
        Set<String> canaries = new HashSet<>();
        for (Node n : ledger.list()) {
            if (!plan.isCanary(n.id(), n.labels())) {
                continue;
            }
            canaries.add(n.id());
            if (n.rejectedVersion() != null && n.rejectedVersion() >= r.revision()) {
                return "canary node " + n.id() + " rejected revision " + n.rejectedVersion() + ": "
                        + (n.lastError() == null ? "no details" : n.lastError());
            }
        }
        if (canaries.isEmpty()) {
            return null;
        }
        FleetLoad load = ledger.load();
        Map<String, RouteWindow> canary = load.routeWindows(r.started(), Instant.MAX, canaries::contains);
        Map<String, RouteWindow> others = load.routeWindows(r.started(), Instant.MAX, id -> !canaries.contains(id));
        Map<String, RouteWindow> before = load.routeWindows(r.started().minus(FleetLoad.KEPT), r.started(),
                canaries::contains);
        for (Map.Entry<String, RouteWindow> e : canary.entrySet()) {
            RouteWindow c = e.getValue();
            if (c.requests() < r.minRequests()) {
                continue;
            }
            RouteWindow o = others.getOrDefault(e.getKey(), new RouteWindow(0, 0, Double.NaN));
            String why = errors(e.getKey(), c, o, r);
            if (why == null) {
                why = latency(e.getKey(), c, o, before.get(e.getKey()), r);
            }
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private static String errors(String route, RouteWindow c, RouteWindow o, Rollout r) {
        double ratio = (double) c.errors5xx() / c.requests();
        double otherRatio = o.requests() == 0 ? 0 : (double) o.errors5xx() / o.requests();
        if (ratio > r.maxErrorRatio() && ratio > otherRatio) {
            return String.format(Locale.ROOT,
                    "route %s: 5xx ratio %.3f on canary nodes (%d of %d) over the limit %.3f and the other nodes' %.3f (%d of %d)",
                    route, ratio, c.errors5xx(), c.requests(), r.maxErrorRatio(), otherRatio, o.errors5xx(), o.requests());
        }
        return null;
    }

    private static String latency(String route, RouteWindow c, RouteWindow o, RouteWindow before, Rollout r) {
        if (Double.isNaN(c.p99Seconds())) {
            return null;
        }
        String against;
        RouteWindow reference;
        if (o.requests() >= r.minRequests() && !Double.isNaN(o.p99Seconds())) {
            against = "the other nodes'";
            reference = o;
        } else if (before != null && before.requests() >= r.minRequests() && !Double.isNaN(before.p99Seconds())) {
            against = "the canary nodes' own before the rollout";
            reference = before;
        } else {
            return null; // nothing to compare with: errors and Acks still decide
        }
        double limit = Math.max(reference.p99Seconds(), P99_FLOOR_SECONDS) * r.maxP99Ratio();
        if (c.p99Seconds() > limit) {
            return String.format(Locale.ROOT,
                    "route %s: p99 %.1f ms on canary nodes (%d requests) over %.1fx %s %.1f ms (%d requests)",
                    route, c.p99Seconds() * 1000, c.requests(), r.maxP99Ratio(), against,
                    reference.p99Seconds() * 1000, reference.requests());
        }
        return null;
    }
}
