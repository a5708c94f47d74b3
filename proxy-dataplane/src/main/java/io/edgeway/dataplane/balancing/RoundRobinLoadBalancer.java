package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

final class RoundRobinLoadBalancer implements LoadBalancer {
    private final Endpoint[] targets;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinLoadBalancer(List<Endpoint> targets) {
        this.targets = targets.toArray(new Endpoint[0]);
    }

    @Override
    public Endpoint pick(HttpHeaders headers, String clientIp) {
        int i = next.getAndIncrement();
        return targets[(i & Integer.MAX_VALUE) % targets.length];
    }
}
