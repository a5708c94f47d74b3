package io.edgeway.controlplane.discovery;

import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.RouteLoad;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The sum of route loads under one key of a {@link FleetLoad} query (a route, or a step of a route's history):
 * requests, 5xx, the latency buckets merged across nodes, and which nodes reported. One class for the three
 * queries, so they cannot come to merge buckets differently.
 */
final class LoadSum {
    long requests;
    long errors5xx;
    /** Null until a load whose buckets match the query's bounds arrives. */
    private long[] buckets;
    private final Set<String> nodes = new HashSet<>();

    /** Adds {@code load} from {@code node}; its buckets count only when {@code bucketCount} (> 0) is theirs. */
    void add(String node, RouteLoad load, int bucketCount) {
        requests += load.getRequests();
        errors5xx += load.getErrors5Xx();
        nodes.add(node);
        if (bucketCount > 0 && load.getDurationBucketsCount() == bucketCount) {
            if (buckets == null) {
                buckets = new long[bucketCount];
            }
            for (int i = 0; i < bucketCount; i++) {
                buckets[i] += load.getDurationBuckets(i);
            }
        }
    }

    double p99(Bounds bounds) {
        return FleetLoad.quantile(0.99, bounds.first, buckets);
    }

    int nodes() {
        return nodes.size();
    }

    /**
     * The bucket bounds of a query: the first non-empty ones seen. Reports with other bounds (a proxy of another
     * version, a changed setting) still count requests and errors, but their buckets cannot be merged.
     */
    static final class Bounds {
        private double[] first;

        /** The bucket count {@code report}'s loads have when its bounds are the query's, else -1. */
        int bucketCount(LoadReport report) {
            double[] b = report.getBucketBoundsList().stream().mapToDouble(Double::doubleValue).toArray();
            if (first == null && b.length > 0) {
                first = b;
            }
            return first != null && Arrays.equals(first, b) ? b.length + 1 : -1;
        }
    }
}
