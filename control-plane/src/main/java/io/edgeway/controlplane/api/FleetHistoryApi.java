package io.edgeway.controlplane.api;

import io.edgeway.controlplane.discovery.FleetLoad;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GET /api/v1/metrics/routes/history?route=shop&window=15m&step=10s: one route's fleet-wide traffic as a series,
 * from the load reports the control plane keeps ({@link FleetLoad#KEPT}), so a chart opened now shows the last
 * minutes instead of starting empty. At most 15m / 1s = 900 points. Every parameter problem is a 422 naming the parameter.
 */
final class FleetHistoryApi {
    static final Duration DEFAULT_WINDOW = FleetLoad.KEPT;
    static final Duration DEFAULT_STEP = Duration.ofSeconds(10);
    static final Duration MIN_STEP = Duration.ofSeconds(1);
    /** The names routes have (model Names), so a parameter can never be mistaken for more than a name. */
    private static final Pattern ROUTE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final FleetLoad load;

    FleetHistoryApi(FleetLoad load) {
        this.load = load;
    }

    void handle(Context ctx) {
        ctx.json(answer(ctx.queryParam("route"), ctx.queryParam("window"), ctx.queryParam("step")));
    }

    Map<String, Object> answer(String route, String windowParam, String stepParam) {
        List<FieldError> errors = new ArrayList<>();
        if (route == null || !ROUTE.matcher(route).matches()) {
            errors.add(new FieldError("route", "route: " + (route == null ? "missing" : shown(route))
                    + " (expected: a route name, 1-128 of A-Z a-z 0-9 . _ -)"));
        }
        Duration window = duration("window", windowParam, DEFAULT_WINDOW, MIN_STEP, FleetLoad.KEPT, errors);
        Duration step = duration("step", stepParam, DEFAULT_STEP, MIN_STEP, FleetLoad.KEPT, errors);
        if (window != null && step != null) {
            if (step.compareTo(window) > 0) {
                errors.add(new FieldError("step", "step: " + shown(stepParam) + " (expected: at most the window, "
                        + Durations.format(window) + ")"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        double seconds = step.toMillis() / 1e3;
        List<Map<String, Object>> points = new ArrayList<>();
        for (FleetLoad.RouteStep s : load.history(route, window, step)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", s.start().toString());
            m.put("requests", s.requests());
            m.put("requests_per_s", s.requests() / seconds);
            m.put("errors_5xx", s.errors5xx());
            m.put("errors_5xx_per_s", s.errors5xx() / seconds);
            m.put("p99_s", Double.isNaN(s.p99Seconds()) ? null : s.p99Seconds());
            m.put("nodes", s.nodes());
            points.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("route", route);
        body.put("window_s", window.toSeconds());
        body.put("step_s", seconds);
        body.put("data", points);
        return body;
    }

    private static Duration duration(String name, String raw, Duration fallback, Duration min, Duration max,
                                     List<FieldError> errors) {
        if (raw == null) {
            return fallback;
        }
        String expected = name + ": " + shown(raw) + " (expected: a duration from " + Durations.format(min) + " to "
                + Durations.format(max) + ", e.g. 10s)";
        Duration d;
        try {
            d = Durations.parse(name, raw.trim());
        } catch (ValidationException e) {
            errors.add(new FieldError(name, expected));
            return null;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            errors.add(new FieldError(name, expected));
            return null;
        }
        return d;
    }

    private static String shown(String raw) {
        return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
    }
}
