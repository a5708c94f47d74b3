package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.accesslog.AccessLog;

/**
 * What watches requests besides the metrics: the access log's hand-off to its writer thread (null when neither
 * lines nor spans are wanted), whether W3C trace context and X-Request-Id are set on the way to targets, and the
 * share of new traces sampled for OTLP export (0 when export is off). Fixed at start, shared by every loop.
 */
public record Observers(AccessLog accessLog, boolean traceContext, double sampleNewTraces) {
    public static final Observers NONE = new Observers(null, false, 0);

    public Observers(AccessLog accessLog, boolean traceContext) {
        this(accessLog, traceContext, 0);
    }
}
