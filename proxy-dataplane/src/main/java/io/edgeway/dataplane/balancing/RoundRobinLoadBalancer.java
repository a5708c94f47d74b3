package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

final class RoundRobinLoadBalancer implements LoadBalancer {
    private final Target[] targets;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinLoadBalancer(List<Target> targets) {
        this.targets = targets.toArray(new Target[0]);
    }

    @Override
    public Target pick(HttpHeaders headers, String clientIp) {
        int i = next.getAndIncrement();
        return targets[(i & Integer.MAX_VALUE) % targets.length];
    }
}
