package io.edgeway.dataplane.balancing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ring hash: each target owns points placed by hashing "host:port#i", so a target's points do not depend
 * on the other targets and removing one moves only the keys it owned. Lookup is a binary search over a
 * sorted long[]. Points per target scale with weight; the ring stays at most ~64k points.
 */
final class RingHashLoadBalancer implements LoadBalancer {
    private final long[] points;
    private final Endpoint[] owners;
    private final Endpoint[] targets;
    private final HashKey key;
    private final AtomicInteger keyless = new AtomicInteger();

    private RingHashLoadBalancer(long[] points, Endpoint[] owners, Endpoint[] targets, HashKey key) {
        this.points = points;
        this.owners = owners;
        this.targets = targets;
        this.key = key;
    }

    static LoadBalancer create(List<Endpoint> targets, HashKey key) {
        int n = targets.size();
        int maxWeight = targets.stream().mapToInt(t -> Math.max(1, t.weight())).max().orElse(1);
        int base = Math.max(64, Math.min(1024, (1 << 16) / n));
        int[] counts = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            counts[i] = (int) Math.max(1, (long) base * Math.max(1, targets.get(i).weight()) / maxWeight);
            total += counts[i];
        }
        long[][] pairs = new long[total][];
        int p = 0;
        for (int i = 0; i < n; i++) {
            String name = targets.get(i).toString() + "#";
            for (int v = 0; v < counts[i]; v++) {
                pairs[p++] = new long[] {HashKey.hash(name + v), i};
            }
        }
        // Ties broken by host:port order would still be deterministic; by index is enough here.
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] points = new long[total];
        Endpoint[] owners = new Endpoint[total];
        for (int k = 0; k < total; k++) {
            points[k] = pairs[k][0];
            owners[k] = targets.get((int) pairs[k][1]);
        }
        return new RingHashLoadBalancer(points, owners, targets.toArray(new Endpoint[0]), key);
    }

    @Override
    public Endpoint pick(HttpHeaders headers, String clientIp) {
        long h = key.hash(headers, clientIp);
        if (h == HashKey.NONE) { // no key on this request: nothing to stick to, so spread it
            int i = keyless.getAndIncrement();
            return targets[(i & Integer.MAX_VALUE) % targets.length];
        }
        return owner(h);
    }

    Endpoint owner(long h) {
        int i = Arrays.binarySearch(points, h);
        if (i < 0) {
            i = -i - 1; // the first point clockwise of h
        }
        return owners[i == points.length ? 0 : i];
    }
}
