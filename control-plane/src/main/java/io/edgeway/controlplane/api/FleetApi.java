package io.edgeway.controlplane.api;

import io.edgeway.controlplane.discovery.FleetLoad;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fleet view built from the proxies' load reports: per route across the fleet, and each node's load. */
final class FleetApi {
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    /** A node's load in GET /api/v1/nodes covers the last minute. */
    static final Duration NODE_WINDOW = Duration.ofMinutes(1);

    private FleetApi() {}

    /** GET /api/v1/metrics/routes?window=5m: 1s to 15m (422 otherwise). */
    static Map<String, Object> routes(FleetLoad load, String windowParam) {
        Duration window = window(windowParam);
        double seconds = window.toMillis() / 1e3;
        List<Map<String, Object>> data = new ArrayList<>();
        for (FleetLoad.RouteSummary r : load.routes(window)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("route", r.route());
            m.put("requests", r.requests());
            m.put("requests_per_s", r.requests() / seconds);
            m.put("errors_5xx", r.errors5xx());
            m.put("errors_5xx_per_s", r.errors5xx() / seconds);
            m.put("p99_s", Double.isNaN(r.p99Seconds()) ? null : r.p99Seconds());
            m.put("nodes", r.nodes());
            data.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("window_s", (long) seconds);
        body.put("data", data);
        return body;
    }

    static Map<String, Object> nodeLoad(FleetLoad load, String node) {
        long[] sum = load.node(node, NODE_WINDOW);
        double seconds = NODE_WINDOW.toSeconds();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window_s", (long) seconds);
        m.put("requests", sum[0]);
        m.put("requests_per_s", sum[0] / seconds);
        m.put("errors_5xx", sum[1]);
        m.put("errors_5xx_per_s", sum[1] / seconds);
        return m;
    }

    private static Duration window(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_WINDOW;
        }
        Duration d = Durations.parse("window", text.trim());
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(FleetLoad.KEPT) > 0) {
            throw new ValidationException(List.of(new FieldError("window",
                    "window: " + text + " (expected: 1s to " + FleetLoad.KEPT.toMinutes() + "m)")));
        }
        return d;
    }
}
