package io.edgeway.controlplane.discovery;

import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.RouteLoad;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxies' load reports ({@link LoadReport}, every few seconds per node), kept for {@link #KEPT} per node,
 * and their sums over a window: per route across the fleet, and per node. Latency buckets are summed across
 * nodes, so the fleet's p99 is computed from the merged distribution, not averaged from the nodes' p99s.
 */
public final class FleetLoad {
    /** The longest window the API answers for. */
    public static final Duration KEPT = Duration.ofMinutes(15);
    private static final int MAX_REPORTS_PER_NODE = 10_000;

    private record Received(Instant at, LoadReport report) {}

    private final Map<String, Deque<Received>> byNode = new ConcurrentHashMap<>();
    private final Clock clock;

    FleetLoad(Clock clock) {
        this.clock = clock;
    }

    void add(String node, LoadReport report) {
        Instant now = clock.instant();
        Deque<Received> q = byNode.computeIfAbsent(node, k -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(new Received(now, report));
            while (q.size() > MAX_REPORTS_PER_NODE || (!q.isEmpty() && q.peekFirst().at().isBefore(now.minus(KEPT)))) {
                q.removeFirst();
            }
        }
    }

    /** One route's traffic across the fleet over a window. */
    public record RouteSummary(String route, long requests, long errors5xx, double p99Seconds, int nodes) {}

    /** Per route, in name order; p99 is NaN without latency data. */
    public List<RouteSummary> routes(Duration window) {
        Instant since = clock.instant().minus(window);
        Map<String, LoadSum> sums = new TreeMap<>();
        LoadSum.Bounds bounds = new LoadSum.Bounds();
        byNode.forEach((node, q) -> {
            for (Received r : snapshot(q)) {
                if (!r.at().isBefore(since)) {
                    addRoutes(sums, node, r.report(), bounds);
                }
            }
        });
        List<RouteSummary> out = new ArrayList<>();
        sums.forEach((route, sum) -> out.add(new RouteSummary(route, sum.requests, sum.errors5xx, sum.p99(bounds),
                sum.nodes())));
        return out;
    }

    /** Adds each route's load in {@code report} to that route's sum. */
    private static void addRoutes(Map<String, LoadSum> sums, String node, LoadReport report, LoadSum.Bounds bounds) {
        int bucketCount = bounds.bucketCount(report);
        for (RouteLoad l : report.getRoutesList()) {
            sums.computeIfAbsent(l.getRoute(), k -> new LoadSum()).add(node, l, bucketCount);
        }
    }

    /** {requests, 5xx} node {@code id} reported over the window. */
    public long[] node(String id, Duration window) {
        Instant since = clock.instant().minus(window);
        long[] sum = new long[2];
        Deque<Received> q = byNode.get(id);
        if (q != null) {
            for (Received r : snapshot(q)) {
                if (!r.at().isBefore(since)) {
                    for (RouteLoad l : r.report().getRoutesList()) {
                        sum[0] += l.getRequests();
                        sum[1] += l.getErrors5Xx();
                    }
                }
            }
        }
        return sum;
    }

    private static List<Received> snapshot(Deque<Received> q) {
        synchronized (q) {
            return new ArrayList<>(q);
        }
    }

    /**
     * The q-quantile of a bucketed distribution, interpolated linearly inside its bucket as Prometheus'
     * histogram_quantile does; in the +Inf bucket, the highest finite bound. NaN when there is no data.
     */
    static double quantile(double q, double[] bounds, long[] counts) {
        if (bounds == null || counts == null) {
            return Double.NaN;
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seen + counts[i] >= rank) {
                if (i == bounds.length) {
                    return bounds[bounds.length - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / counts[i]);
            }
            seen += counts[i];
        }
        return bounds[bounds.length - 1];
    }

    /** One route's traffic over a window on some of the nodes: what a canary rollout compares. */
    public record RouteWindow(long requests, long errors5xx, double p99Seconds) {}

    /**
     * Per route, what the nodes {@code nodes} accepts reported in [{@code from}, {@code to}): a canary rollout
     * compares its canary nodes with the others over its lifetime, and with their own traffic before it began.
     * The p99 comes from the merged buckets (NaN without latency data), as in {@link #routes}.
     */
    public Map<String, RouteWindow> routeWindows(Instant from, Instant to, java.util.function.Predicate<String> nodes) {
        Map<String, LoadSum> sums = new TreeMap<>();
        LoadSum.Bounds bounds = new LoadSum.Bounds();
        byNode.forEach((node, q) -> {
            if (!nodes.test(node)) {
                return;
            }
            for (Received r : snapshot(q)) {
                if (!r.at().isBefore(from) && r.at().isBefore(to)) {
                    addRoutes(sums, node, r.report(), bounds);
                }
            }
        });
        Map<String, RouteWindow> out = new TreeMap<>();
        sums.forEach((route, sum) -> out.put(route, new RouteWindow(sum.requests, sum.errors5xx, sum.p99(bounds))));
        return out;
    }

    /** One step of a route's history: the reports received in [start, start + step), summed across the fleet. */
    public record RouteStep(Instant start, long requests, long errors5xx, double p99Seconds, int nodes) {}

    /**
     * Route {@code route}'s traffic over the last {@code window} in steps of {@code step}, oldest first, every
     * step present (zero when nothing was reported). Steps are aligned to multiples of the step since the epoch,
     * so a report stays in the same step whenever the series is read; the newest step is the current, partial one.
     */
    public List<RouteStep> history(String route, Duration window, Duration step) {
        long stepMillis = step.toMillis();
        int steps = (int) Math.max(1, window.toMillis() / stepMillis);
        long first = Math.floorDiv(clock.instant().toEpochMilli(), stepMillis) - steps + 1;
        LoadSum[] sums = new LoadSum[steps];
        LoadSum.Bounds bounds = new LoadSum.Bounds();
        byNode.forEach((node, q) -> {
            for (Received r : snapshot(q)) {
                long i = Math.floorDiv(r.at().toEpochMilli(), stepMillis) - first;
                if (i < 0 || i >= steps) {
                    continue;
                }
                int bucketCount = bounds.bucketCount(r.report());
                for (RouteLoad l : r.report().getRoutesList()) {
                    if (l.getRoute().equals(route)) {
                        LoadSum sum = sums[(int) i] == null ? sums[(int) i] = new LoadSum() : sums[(int) i];
                        sum.add(node, l, bucketCount);
                    }
                }
            }
        });
        List<RouteStep> out = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            Instant start = Instant.ofEpochMilli((first + i) * stepMillis);
            LoadSum sum = sums[i];
            out.add(sum == null ? new RouteStep(start, 0, 0, Double.NaN, 0)
                    : new RouteStep(start, sum.requests, sum.errors5xx, sum.p99(bounds), sum.nodes()));
        }
        return out;
    }
}
