package io.edgeway.controlplane.api;

import io.edgeway.controlplane.model.RateLimit;
import io.edgeway.controlplane.model.RouteLimits;
import java.time.Duration;
import java.util.Set;

/** Reads a route's {@code rate_limit} and {@code max_body_bytes} from a request body (issue 18). */
final class RouteLimitsFields {
    static final Set<String> ROUTE_FIELDS = Set.of("rate_limit", "max_body_bytes");
    private static final Set<String> RATE_LIMIT = Set.of("requests", "per", "burst", "by", "scope");

    private RouteLimitsFields() {}

    /** Malformed values are recorded in {@code f}'s problems; range checks are the model's. */
    static RouteLimits read(Fields f) {
        long maxBody = f.longInteger("max_body_bytes", 0, "1-" + RouteLimits.MAX_BODY + " bytes");
        if (f.has("max_body_bytes") && maxBody == 0) {
            maxBody = -1; // an explicit 0 is no limit by mistake: let the model name it
        }
        Fields r = f.object("rate_limit", RATE_LIMIT);
        RateLimit rate = null;
        if (r != null) {
            int requests = r.integer("requests", 0, "1-" + RateLimit.MAX);
            Duration per = r.duration("per");
            String by = r.string("by");
            String scope = r.string("scope");
            rate = new RateLimit(requests, per, r.integer("burst", requests, "1-" + RateLimit.MAX),
                    by == null ? "client_ip" : by, scope == null ? "proxy" : scope);
        }
        return new RouteLimits(rate, maxBody);
    }
}
