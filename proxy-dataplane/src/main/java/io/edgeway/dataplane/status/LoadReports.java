package io.edgeway.dataplane.status;

import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.RouteLoad;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.HashMap;
import java.util.Map;

/**
 * The proxy's load summary for the control plane, made every few seconds off the request path: per route, the
 * requests, 5xx answers and latency bucket counts since the previous report, as differences of the metrics'
 * own cumulative counts. A route whose counts went down (it left the config and came back) starts over.
 * Called from one thread (the config client's).
 */
public final class LoadReports {
    private final Metrics metrics;
    private Map<String, long[]> lastCounts = Map.of();
    private Map<String, long[]> lastBuckets = Map.of();
    private long lastNanos = System.nanoTime();

    public LoadReports(Metrics metrics) {
        this.metrics = metrics;
    }

    public LoadReport next() {
        long now = System.nanoTime();
        Map<String, long[]> counts = new HashMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : metrics.requests.collect().getDataPoints()) {
            long[] c = counts.computeIfAbsent(p.getLabels().get("route"), k -> new long[2]);
            c[0] += (long) p.getValue();
            if ("5xx".equals(p.getLabels().get("status_class"))) {
                c[1] += (long) p.getValue();
            }
        }
        Map<String, long[]> buckets = new HashMap<>();
        double[] bounds = null;
        for (HistogramSnapshot.HistogramDataPointSnapshot p : metrics.duration.collect().getDataPoints()) {
            ClassicHistogramBuckets b = p.getClassicBuckets();
            long[] n = new long[b.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = b.getCount(i);
            }
            buckets.put(p.getLabels().get("route"), n);
            if (bounds == null) {
                bounds = new double[b.size() - 1]; // the last bound is +Inf, implied on the wire
                for (int i = 0; i < bounds.length; i++) {
                    bounds[i] = b.getUpperBound(i);
                }
            }
        }
        LoadReport.Builder report = LoadReport.newBuilder().setIntervalMs((now - lastNanos) / 1_000_000);
        if (bounds != null) {
            for (double d : bounds) {
                report.addBucketBounds(d);
            }
        }
        counts.forEach((route, c) -> {
            long[] before = lastCounts.getOrDefault(route, new long[2]);
            boolean reset = c[0] < before[0] || c[1] < before[1];
            long requests = reset ? c[0] : c[0] - before[0];
            if (requests == 0) {
                return;
            }
            RouteLoad.Builder r = RouteLoad.newBuilder().setRoute(route).setRequests(requests)
                    .setErrors5Xx(reset ? c[1] : c[1] - before[1]);
            long[] now2 = buckets.get(route);
            long[] was = lastBuckets.get(route);
            if (now2 != null) {
                for (int i = 0; i < now2.length; i++) {
                    long d = was == null || reset || was.length != now2.length ? now2[i] : now2[i] - was[i];
                    r.addDurationBuckets(Math.max(0, d));
                }
            }
            report.addRoutes(r);
        });
        lastCounts = counts;
        lastBuckets = buckets;
        lastNanos = now;
        return report.build();
    }
}
