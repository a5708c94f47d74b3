package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices on requests in flight: nearly as good as a full least-request scan, but O(1) and
 * it does not send every loop's next request to the same momentarily idle target.
 */
final class LeastRequestLoadBalancer implements LoadBalancer {
    private final Endpoint[] targets;

    LeastRequestLoadBalancer(List<Endpoint> targets) {
        this.targets = targets.toArray(new Endpoint[0]);
    }

    @Override
    public Endpoint pick(HttpHeaders headers, String clientIp) {
        int n = targets.length;
        if (n == 1) {
            return targets[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++; // two distinct targets
        }
        Endpoint a = targets[i];
        Endpoint b = targets[j];
        return a.state().outstanding() <= b.state().outstanding() ? a : b;
    }
}
