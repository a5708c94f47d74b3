package io.edgeway.dataplane.accesslog;

import io.edgeway.dataplane.trace.TraceIds;

/**
 * One request as the access log sees it, filled on the event loop from values the request already holds
 * (strings are references, nothing is formatted there) and handed to the writer thread, which formats it.
 * A plain object, garbage once written: it was pooled (Netty's Recycler) until a CPU profile of the bench's
 * all-on proxy (issue 16) showed the pool's cross-thread hand-back cost more than the allocation it saved
 * (Recycler.get on the event loop about a third of Measurements.record's samples, more than the route's
 * metrics; Recycler.recycle and clearing every field on the writer thread as much again). A record lives
 * for milliseconds, so it dies young and a young collection never copies it.
 */
public final class AccessRecord {
    /** When the request ended: System.nanoTime(), read on the loop (its duration needed it anyway). */
    public long endNanos;
    /** The same instant as wall-clock milliseconds: set by the writer thread from {@link #endNanos}. */
    public long timeMillis;
    public CharSequence requestId;
    /**
     * The trace context sent to the target, as numbers (see {@link TraceIds}): copied, not formatted, on the loop;
     * the writer thread makes their hex. Meaningless unless {@link #traced}.
     */
    public boolean traced;
    public long traceHigh;
    public long traceLow;
    public long spanId;
    /** 0 for a trace the proxy started. */
    public long parentSpanId;
    public int traceFlags;
    public String client;
    public String host;
    public String method;
    public String uri;
    public String protocol;
    public int status;
    /** A gRPC call's grpc-status from its trailers (null for plain HTTP, or a call that ended without one). */
    public CharSequence grpcStatus;
    public long bytesIn;
    public long bytesOut;
    public long totalNanos;
    /** -1: no new connection was opened (a pooled one took the request), or none was tried. */
    public long connectNanos;
    /** -1: no target answered. */
    public long firstByteNanos;
    public String route;
    public String upstream;
    /** The last target tried ({@code host:port} once formatted), or null. */
    public Object target;
    public int attempts;
    public long configVersion;
    public String tlsVersion;
    public String sni;
    public String referer;
    public String userAgent;
    /** What the writer thread does with it: a log line, a span (OTLP export), or both. */
    public boolean writeLine;
    public boolean exportSpan;
    /** The request id is the trace id: formatted by the writer thread, not the loop. */
    public boolean requestIdFromTrace;

    /** Copies the request's trace ids (the holder is reused by the connection's next request). */
    public void trace(TraceIds ids) {
        traced = true;
        traceHigh = ids.traceHigh();
        traceLow = ids.traceLow();
        spanId = ids.spanId();
        parentSpanId = ids.parentSpanId();
        traceFlags = ids.flags();
    }
}
