package io.edgeway.controlplane.rollout;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.RolloutPlan;
import io.edgeway.controlplane.store.Rollout;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Why a baking canary should be rolled back, or null: a canary node refused the revision, or a route's 5xx
 * ratio on the canary nodes is over the rollout's limit AND over the same route's ratio on the other nodes
 * (a target that is down for everyone is not the new config's fault), with at least {@code minRequests}
 * canary requests so one unlucky request cannot decide.
 */
final class CanaryHealth {
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
        Map<String, long[]> canary = ledger.load().routeErrors(r.started(), canaries::contains);
        Map<String, long[]> others = ledger.load().routeErrors(r.started(), id -> !canaries.contains(id));
        for (Map.Entry<String, long[]> e : canary.entrySet()) {
            long requests = e.getValue()[0];
            long errors = e.getValue()[1];
            if (requests < r.minRequests()) {
                continue;
            }
            double ratio = (double) errors / requests;
            long[] o = others.getOrDefault(e.getKey(), new long[2]);
            double otherRatio = o[0] == 0 ? 0 : (double) o[1] / o[0];
            if (ratio > r.maxErrorRatio() && ratio > otherRatio) {
                return String.format(java.util.Locale.ROOT,
                        "route %s: 5xx ratio %.3f on canary nodes (%d of %d) over the limit %.3f and the other nodes' %.3f (%d of %d)",
                        e.getKey(), ratio, errors, requests, r.maxErrorRatio(), otherRatio, o[1], o[0]);
            }
        }
        return null;
    }
}
