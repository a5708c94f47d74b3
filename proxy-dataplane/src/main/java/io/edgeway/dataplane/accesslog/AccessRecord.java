package io.edgeway.dataplane.accesslog;

import io.netty.util.Recycler;

/**
 * One request as the access log sees it, filled on the event loop from values the request already holds
 * (strings are references, nothing is formatted there) and handed to the writer thread, which formats it.
 * The records of proxied requests are pooled ({@link #pooled}): the writer thread clears each one when it is
 * done and gives it back to the pool of the event loop that took it, so a logged request allocates none.
 */
public final class AccessRecord {
    private static final Recycler<AccessRecord> POOL = new Recycler<>() {
        @Override
        protected AccessRecord newObject(Handle<AccessRecord> handle) {
            return new AccessRecord(handle);
        }
    };

    /** Null for a record made with {@code new}: {@link #recycle} then only clears it. */
    private final Recycler.Handle<AccessRecord> handle;

    public long timeMillis;
    public CharSequence requestId;
    /** The traceparent sent to the target (the trace id is its characters 3-35), or null. */
    public CharSequence traceparent;
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
    /** The request id is the trace id (the traceparent's characters 3-35): set by the writer thread, not the loop. */
    public boolean requestIdFromTrace;

    /** A record made for this purpose (gRPC calls, tests): garbage once written. */
    public AccessRecord() {
        this(null);
    }

    private AccessRecord(Recycler.Handle<AccessRecord> handle) {
        this.handle = handle;
    }

    /** A cleared record from the calling thread's pool (or a new one). Give it to {@link AccessLog#offer}. */
    public static AccessRecord pooled() {
        return POOL.get();
    }

    /**
     * Clears every field (the next request sets only some of them, and a pooled record must keep no request's
     * strings alive) and gives the record back to its pool. The caller must not touch it afterwards.
     */
    void recycle() {
        timeMillis = 0;
        requestId = null;
        traceparent = null;
        client = null;
        host = null;
        method = null;
        uri = null;
        protocol = null;
        status = 0;
        grpcStatus = null;
        bytesIn = 0;
        bytesOut = 0;
        totalNanos = 0;
        connectNanos = 0;
        firstByteNanos = 0;
        route = null;
        upstream = null;
        target = null;
        attempts = 0;
        configVersion = 0;
        tlsVersion = null;
        sni = null;
        referer = null;
        userAgent = null;
        writeLine = false;
        exportSpan = false;
        requestIdFromTrace = false;
        if (handle != null) {
            handle.recycle(this);
        }
    }
}
