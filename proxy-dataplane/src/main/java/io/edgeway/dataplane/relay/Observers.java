package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.accesslog.AccessLog;

/**
 * What watches requests besides the metrics: the access log (null when off) and whether W3C trace context and
 * X-Request-Id are set on the way to targets. Fixed at start, shared by every loop.
 */
public record Observers(AccessLog accessLog, boolean traceContext) {
    public static final Observers NONE = new Observers(null, false);
}
