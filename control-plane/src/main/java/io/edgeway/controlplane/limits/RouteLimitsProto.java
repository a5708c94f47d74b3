package io.edgeway.controlplane.limits;

import io.edgeway.controlplane.model.RateLimit;
import io.edgeway.controlplane.model.RouteLimits;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;

/** A route's limits in the snapshot (Route fields 70-79). */
public final class RouteLimitsProto {
    private RouteLimitsProto() {}

    public static void apply(RouteLimits limits, Route.Builder route) {
        RateLimit r = limits.rateLimit();
        if (r != null) {
            route.setRateLimit(RouteRateLimit.newBuilder().setRequests(r.requests()).setPerMs(r.per().toMillis())
                    .setBurst(r.burst()).setBy(r.by()).setFleet("fleet".equals(r.scope())));
        }
        route.setMaxBodyBytes(limits.maxBodyBytes());
    }
}
