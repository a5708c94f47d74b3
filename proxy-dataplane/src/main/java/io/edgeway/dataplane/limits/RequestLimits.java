package io.edgeway.dataplane.limits;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/** The per-route limits checked on a request head (issue 18): a declared body over the bound, the rate limit. */
public final class RequestLimits {
    private RequestLimits() {}

    /** The request declares a body larger than {@code max} (Content-Length was validated by the codec). */
    public static boolean declaredOver(HttpRequest req, long max) {
        return HttpUtil.getContentLength(req, -1L) > max;
    }

    /** Counts the request against {@code spec}; the verdict's headers go on whatever answers it. */
    public static boolean admitted(RateLimits limits, RateLimitSpec spec, HttpRequest req, String clientIp, RateVerdict out) {
        limits.admit(spec, req.headers(), clientIp, out);
        return out.allowed();
    }
}
