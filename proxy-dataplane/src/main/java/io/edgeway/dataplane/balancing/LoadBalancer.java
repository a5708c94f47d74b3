package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Picks a target for one request. Implementations are immutable apart from their own cursor, are built by
 * the factories below over a fixed list of targets and are rebuilt (by {@link TargetGroup}) whenever the config
 * or the set of healthy targets changes; they are called concurrently from every event loop. Every pick is
 * O(1) or O(log n), lock-free and allocation-free.
 */
public interface LoadBalancer {

    /** The next target, or {@code null} when there is none. */
    Endpoint pick(HttpHeaders headers, String clientIp);

    /** Round robin over targets with a weight above zero; weight 0 disables a target. */
    static LoadBalancer roundRobin(List<Endpoint> targets) {
        List<Endpoint> enabled = targets.stream().filter(Endpoint::enabled).toList();
        return enabled.isEmpty() ? (h, ip) -> null : new RoundRobinLoadBalancer(enabled);
    }

    /** Smooth weighted round robin (nginx's interleaving), precomputed into one cycle. */
    static LoadBalancer weightedRoundRobin(List<Endpoint> targets) {
        return weightedRoundRobin(targets, targets.stream().mapToInt(Endpoint::weight).toArray());
    }

    /** As above with explicit weights, e.g. a slow-start ramp; weights[i] belongs to targets.get(i). */
    static LoadBalancer weightedRoundRobin(List<Endpoint> targets, int[] weights) {
        return WeightedRoundRobinLoadBalancer.create(targets, weights);
    }

    /** Power of two choices: two distinct random targets, the one with fewer requests in flight wins. */
    static LoadBalancer leastRequest(List<Endpoint> targets) {
        return targets.isEmpty() ? (h, ip) -> null : new LeastRequestLoadBalancer(targets);
    }

    /** A hash ring: each key sticks to one target; adding or removing a target moves ~1/N of the keys. */
    static LoadBalancer consistentHash(List<Endpoint> targets, HashKey key) {
        return targets.isEmpty() ? (h, ip) -> null : RingHashLoadBalancer.create(targets, key);
    }
}
