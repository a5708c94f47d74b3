package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.routing.RouteTable;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Where one gRPC call goes, decided once from its request head and the runtime config read for it: a route,
 * its limits, then a target. Every refusal is answered like a gRPC server would (Trailers-Only), so the
 * relay only has to open a stream when there is a target.
 */
final class GrpcRouting {
    private GrpcRouting() {}

    /**
     * The outcome: {@code target} set when the call may go on, else the refusal's gRPC status, the HTTP
     * status the HTTP/1.1 path would count for it, and its message. {@code route} is the matched route
     * either way (null when none matched), so the call is counted and logged on it.
     */
    record Decision(RouteRule route, Endpoint target, int grpcStatus, int httpStatus, String message) {
        static Decision to(RouteRule route, Endpoint target) {
            return new Decision(route, target, 0, 200, null);
        }

        static Decision refused(RouteRule route, int grpcStatus, String message) {
            return new Decision(route, null, grpcStatus, GrpcHeaders.httpEquivalent(grpcStatus), message);
        }

        static Decision refused(RouteRule route, int grpcStatus, int httpStatus, String message) {
            return new Decision(route, null, grpcStatus, httpStatus, message);
        }

        boolean isRefused() {
            return target == null;
        }
    }

    static Decision decide(RuntimeConfig config, Http2Headers h, String peerIp, GrpcLimits limits) {
        if (config == RuntimeConfig.NONE) {
            return Decision.refused(null, GrpcHeaders.UNAVAILABLE, "the proxy has no configuration yet");
        }
        String host = h.authority() == null ? null : h.authority().toString();
        String path = h.path() == null ? "/" : h.path().toString();
        String method = h.method() == null ? "POST" : h.method().toString();
        RouteRule route = config.routes().match(RouteTable.normalizeHost(host), path, method);
        if (route == null) {
            return Decision.refused(null, GrpcHeaders.UNIMPLEMENTED, "no route matches this authority and path");
        }
        if (route.upstream() == null) { // a static site's or a redirect's route (issue 17): no gRPC method there
            return Decision.refused(route, GrpcHeaders.UNIMPLEMENTED, route.site() != null
                    ? "this route serves static files" : "this route answers with a redirect");
        }
        Long retryAfter = limits.refusedForSeconds(route, h, peerIp);
        if (retryAfter != null) {
            return Decision.refused(route, GrpcLimits.RESOURCE_EXHAUSTED, 429,
                    "rate limit exceeded; retry in " + retryAfter + " s");
        }
        if (limits.declaredOver(h)) {
            return tooLarge(route);
        }
        // HTTP/2 headers are not HttpHeaders: header and cookie hashing fall back to the balancer's spread here.
        Endpoint target = route.upstream().pick(EmptyHttpHeaders.INSTANCE, peerIp);
        if (target == null) {
            return Decision.refused(route, GrpcHeaders.UNAVAILABLE, "no enabled target for this route");
        }
        return Decision.to(route, target);
    }

    /** The call's request body is over the route's max_body_bytes: counted on the route, and refused. */
    static Decision tooLarge(RouteRule route) {
        route.meter().bodyTooLarge();
        return Decision.refused(route, GrpcLimits.RESOURCE_EXHAUSTED, 413,
                "the request body is larger than this route allows");
    }
}
