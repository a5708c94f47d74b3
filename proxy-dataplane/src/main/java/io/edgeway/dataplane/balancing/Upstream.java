package io.edgeway.dataplane.balancing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A named group of targets with the balancer built over them for one config version. */
public record Upstream(String name, List<Target> targets, LoadBalancer balancer) {

    public Upstream {
        requireNonNull(name, "name");
        targets = List.copyOf(requireNonNull(targets, "targets"));
        requireNonNull(balancer, "balancer");
    }

    public static Upstream roundRobin(String name, List<Target> targets) {
        return new Upstream(name, targets, LoadBalancer.roundRobin(targets));
    }
}
