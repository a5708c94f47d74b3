package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.limits.RateLimits;
import io.edgeway.dataplane.limits.RateVerdict;
import io.edgeway.dataplane.routing.RouteRule;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/** The per-route limits checked on a request head (issue 18); the logic itself is in {@code dataplane.limits}. */
final class BodyLimit {
    private BodyLimit() {}

    /** The request declares a body larger than {@code max} (Content-Length was validated by the codec). */
    static boolean declaredOver(HttpRequest req, long max) {
        return HttpUtil.getContentLength(req, -1L) > max;
    }

    /** Counts the request against the route's rate limit; the verdict's headers go on whatever answers it. */
    static boolean admitted(RateLimits limits, RouteRule route, HttpRequest req, String clientIp, RateVerdict out) {
        limits.admit(route.rateLimit(), req.headers(), clientIp, out);
        return out.allowed();
    }
}
