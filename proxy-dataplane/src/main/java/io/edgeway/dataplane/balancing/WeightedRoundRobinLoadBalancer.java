package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * nginx's smooth weighted round robin, run once at build time into a cycle of sum(weights) slots (after
 * dividing by the weights' gcd) so a pick is one atomic increment instead of nginx's O(n) scan under a lock.
 * Weights 5:1:1 give a,a,b,a,c,a,a — spread, not bunched.
 */
final class WeightedRoundRobinLoadBalancer implements LoadBalancer {
    static final int MAX_CYCLE = 1 << 16;

    private final Endpoint[] cycle;
    private final AtomicInteger next = new AtomicInteger();

    private WeightedRoundRobinLoadBalancer(Endpoint[] cycle) {
        this.cycle = cycle;
    }

    static LoadBalancer create(List<Endpoint> all, int[] allWeights) {
        List<Endpoint> targets = new ArrayList<>();
        List<Integer> ws = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (allWeights[i] > 0) {
                targets.add(all.get(i));
                ws.add(allWeights[i]);
            }
        }
        if (targets.isEmpty()) {
            return (h, ip) -> null;
        }
        int n = targets.size();
        long[] w = new long[n];
        long gcd = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = ws.get(i);
            gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(w[i])).longValue();
        }
        for (int i = 0; i < n; i++) {
            w[i] /= gcd;
            total += w[i];
        }
        if (total > MAX_CYCLE) { // bound memory; ratios stay within 1/MAX_CYCLE per target
            long scaled = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(1, w[i] * MAX_CYCLE / total);
                scaled += w[i];
            }
            total = scaled;
        }
        Endpoint[] cycle = new Endpoint[(int) total];
        long[] current = new long[n];
        for (int s = 0; s < cycle.length; s++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += w[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[s] = targets.get(best);
        }
        return new WeightedRoundRobinLoadBalancer(cycle);
    }

    @Override
    public Endpoint pick(HttpHeaders headers, String clientIp) {
        int i = next.getAndIncrement();
        return cycle[(i & Integer.MAX_VALUE) % cycle.length];
    }
}
