package io.edgeway.dataplane.balancing;

import java.util.List;

/**
 * Picks a target for one request. Implementations are immutable apart from their own cursor and are
 * rebuilt whenever the config changes; they are called concurrently from every event loop.
 * Weighted, least-request (P2C) and consistent-hash balancers slot in as further factories here.
 */
public interface LoadBalancer {

    /** The next target, or {@code null} when every target is disabled. */
    Target pick();

    /** Round robin over targets with a weight above zero; weight 0 disables a target. */
    static LoadBalancer roundRobin(List<Target> targets) {
        List<Target> enabled = targets.stream().filter(Target::enabled).toList();
        return enabled.isEmpty() ? () -> null : new RoundRobinLoadBalancer(enabled);
    }
}
