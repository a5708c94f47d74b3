package io.edgeway.controlplane.api;

import io.edgeway.controlplane.discovery.NodeSelector;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.RolloutIntent;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code ?rollout=canary&selector=canary%3Dtrue&bake=60s&max_error_ratio=0.05&min_requests=20&max_p99_ratio=2} on any config
 * write, read before the write runs. A write without it is {@link RolloutIntent#GUARDED}: refused with 409
 * while a rollout is open. The rollout endpoints themselves and cache purges (an event, not config) are neither.
 */
final class RolloutParams {
    static final Duration DEFAULT_BAKE = Duration.ofSeconds(60);
    static final Duration MIN_BAKE = Duration.ofMillis(100);
    static final Duration MAX_BAKE = Duration.ofHours(24);
    static final double DEFAULT_MAX_ERROR_RATIO = 0.05;
    static final long DEFAULT_MIN_REQUESTS = 20;
    /** Twice the other nodes' p99: well above the noise of bucketed quantiles, well below a real regression. */
    static final double DEFAULT_MAX_P99_RATIO = 2.0;
    static final String SELECTOR_ATTRIBUTE = "edgeway.rollout-selector";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final List<String> PARAMETERS = List.of("selector", "bake", "max_error_ratio", "min_requests",
            "max_p99_ratio");

    private RolloutParams() {}

    /** A before-handler: sets the request's intent (cleared by {@link #clear}) or refuses bad parameters. */
    static void parse(Context ctx) {
        String rollout = ctx.queryParam("rollout");
        boolean write = WRITES.contains(ctx.method().name()) && ctx.path().startsWith("/api/v1/")
                && !ctx.path().startsWith("/api/v1/rollouts") && !ctx.path().startsWith("/api/v1/cache/");
        if (rollout == null) {
            for (String p : PARAMETERS) {
                if (ctx.queryParam(p) != null) {
                    throw ApiException.badParameter(p, p + ": " + ctx.queryParam(p) + " (expected: only with rollout=canary)");
                }
            }
            RolloutIntent.set(write ? RolloutIntent.GUARDED : null);
            return;
        }
        if (!rollout.equals("canary")) {
            throw ApiException.badParameter("rollout", "rollout: " + rollout + " (expected: canary)");
        }
        if (!write) {
            throw ApiException.badParameter("rollout", "rollout: canary (expected: only on a config write)");
        }
        NodeSelector selector;
        Duration bake = DEFAULT_BAKE;
        try {
            selector = NodeSelector.parse(ctx.queryParam("selector"));
            if (ctx.queryParam("bake") != null) {
                bake = Durations.parse("bake", ctx.queryParam("bake"));
            }
        } catch (ValidationException e) {
            throw ApiException.badParameter(e.errors().get(0).field(), e.getMessage());
        }
        if (bake.compareTo(MIN_BAKE) < 0 || bake.compareTo(MAX_BAKE) > 0) {
            throw ApiException.badParameter("bake", "bake: " + ctx.queryParam("bake") + " (expected: 100ms-24h)");
        }
        double ratio = ratio(ctx.queryParam("max_error_ratio"));
        long minRequests = minRequests(ctx.queryParam("min_requests"));
        double p99Ratio = p99Ratio(ctx.queryParam("max_p99_ratio"));
        RolloutIntent.set(RolloutIntent.canary(selector.toString(), bake, ratio, minRequests, p99Ratio));
        ctx.attribute(SELECTOR_ATTRIBUTE, selector);
    }

    static void clear(Context ctx) {
        RolloutIntent.set(null);
    }

    private static double ratio(String raw) {
        if (raw == null) {
            return DEFAULT_MAX_ERROR_RATIO;
        }
        try {
            double v = Double.parseDouble(raw);
            if (v >= 0 && v <= 1 && raw.matches("[0-9.]{1,12}")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badParameter("max_error_ratio", "max_error_ratio: " + shown(raw) + " (expected: 0-1, e.g. 0.05)");
    }

    private static double p99Ratio(String raw) {
        if (raw == null) {
            return DEFAULT_MAX_P99_RATIO;
        }
        if (raw.matches("[0-9]{1,4}(\\.[0-9]{1,6})?")) {
            double v = Double.parseDouble(raw);
            if (v >= 1 && v <= 1000) {
                return v;
            }
        }
        throw ApiException.badParameter("max_p99_ratio", "max_p99_ratio: " + shown(raw) + " (expected: 1-1000, e.g. 2)");
    }

    private static long minRequests(String raw) {
        if (raw == null) {
            return DEFAULT_MIN_REQUESTS;
        }
        if (raw.matches("[0-9]{1,9}") && Long.parseLong(raw) >= 1) {
            return Long.parseLong(raw);
        }
        throw ApiException.badParameter("min_requests", "min_requests: " + shown(raw) + " (expected: 1-999999999)");
    }

    private static String shown(String raw) {
        return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
    }
}
