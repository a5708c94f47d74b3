package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.limits.RateLimits;
import io.edgeway.dataplane.limits.RateVerdict;
import io.edgeway.dataplane.routing.RouteRule;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A route's rate limit and max_body_bytes (issue 18) applied to one gRPC call, as the HTTP path applies them
 * to a request: the call is counted against the same buckets (a client cannot get round a limit by speaking
 * gRPC), and its request body, i.e. all the DATA of the call's request stream, may not pass the route's
 * max_body_bytes. Both refusals are RESOURCE_EXHAUSTED, what gRPC servers answer for quota and size limits
 * (a gRPC client makes of an HTTP 429 an UNAVAILABLE, which invites an immediate retry). One per call.
 */
final class GrpcLimits {
    /** gRPC's status for an exhausted quota or a message over the size limit. */
    static final int RESOURCE_EXHAUSTED = 8;

    private final RateLimits rates;
    private RateVerdict verdict; // made only for a route with a rate limit
    private long maxBody;

    GrpcLimits(RateLimits rates) {
        this.rates = rates;
    }

    /**
     * Counts the call against {@code route}'s rate limit; {@code null} when it may go on, else the seconds
     * until the key may call again (the refusal is counted on the route's meter).
     */
    Long refusedForSeconds(RouteRule route, Http2Headers headers, String clientIp) {
        maxBody = route.maxBodyBytes();
        if (route.rateLimit() == null || rates == null) {
            return null;
        }
        if (verdict == null) {
            verdict = new RateVerdict();
        }
        rates.admit(route.rateLimit(), headers, clientIp, verdict);
        if (verdict.allowed()) {
            return null;
        }
        route.meter().rateLimited();
        return verdict.resetSeconds();
    }

    /** A declared content-length over the route's limit (gRPC clients rarely send one; the DATA are checked too). */
    boolean declaredOver(Http2Headers headers) {
        if (maxBody <= 0) {
            return false;
        }
        CharSequence length = headers.get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH);
        if (length == null) {
            return false;
        }
        try {
            return Long.parseLong(length.toString().trim()) > maxBody;
        } catch (NumberFormatException e) {
            return true; // not a length: refused rather than guessed at
        }
    }

    /** The call's request DATA so far went over the route's max_body_bytes. */
    boolean bodyOver(long bytesIn) {
        return maxBody > 0 && bytesIn > maxBody;
    }
}
