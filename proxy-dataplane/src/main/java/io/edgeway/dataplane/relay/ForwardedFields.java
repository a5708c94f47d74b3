package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.http1.Http;
import io.edgeway.dataplane.trace.TraceContext;
import io.edgeway.dataplane.trace.TraceIds;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * The X-Forwarded-For, -Proto and -Host values the proxy adds to one request ({@link HeaderRewriter#request}),
 * and, with trace context on, its {@code traceparent} and the X-Request-Id made from it (see
 * {@link TraceContext#toTarget}; kept as numbers in {@link #traceIds}, written as hex only into the head's bytes),
 * kept beside the head instead of in it: an HTTP/1.1 target gets them written straight after the other
 * headers ({@link UpstreamRequestEncoder}), so that the common request allocates no header entries for them.
 * An h2c target's stream takes a head object, so there they are put in the headers ({@link #addTo}).
 * One per client connection, reused by each of its requests; a {@code null} field adds nothing.
 */
final class ForwardedFields {
    private String forwardedFor;
    private CharSequence proto;
    private String host;
    /** This request's trace context, reused by every request of the connection; unset until {@link #trace}. */
    private final TraceIds traceIds = new TraceIds();
    /** With trace context on, for the current request: {@link #traceIds} holds its ids. */
    private boolean traced;
    /** False when a route's header edit set its own traceparent (see {@link #yieldToHeaders}). */
    private boolean traceparentWritten;
    /** The client's X-Request-Id was not kept: the trace id (the traceparent's characters 3-35) is sent instead. */
    private boolean requestIdFromTrace;
    /**
     * The client sent no Host (HTTP/1.0 only: the validator refuses an HTTP/1.1 request without it), so
     * {@link TargetHost} puts the target's authority in the head, again for a retry's other target. Known from the
     * Host the dispatch already read, so the common request does not look the header up once more to find this out.
     */
    private boolean hostFromTarget;

    /**
     * Also clears the trace fields: they are set after this, and only with trace context on. {@code clientSentHost}:
     * the request had a Host header (route header edits cannot add or remove one: Host is not theirs to edit).
     */
    void set(String forwardedFor, CharSequence proto, String host, boolean clientSentHost) {
        this.forwardedFor = forwardedFor;
        this.proto = proto;
        this.host = host;
        this.traced = false;
        this.requestIdFromTrace = false;
        this.hostFromTarget = !clientSentHost;
    }

    boolean hostFromTarget() {
        return hostFromTarget;
    }

    /** The ids for {@link TraceContext#toTarget} to fill; then {@link #trace}. */
    TraceIds traceIds() {
        return traceIds;
    }

    void trace(boolean requestIdFromTrace) {
        this.traced = true;
        this.traceparentWritten = true;
        this.requestIdFromTrace = requestIdFromTrace;
    }

    /**
     * After a route's request header edits: a header they set wins, as it did when the trace fields were header
     * entries, and is never sent twice (two X-Request-Id or traceparent fields would be ambiguous to the target).
     */
    void yieldToHeaders(HttpHeaders h) {
        if (!traced) {
            return;
        }
        if (h.contains(TraceContext.TRACEPARENT)) {
            traceparentWritten = false;
        }
        if (requestIdFromTrace && h.contains(TraceContext.REQUEST_ID)) {
            requestIdFromTrace = false;
        }
    }

    /** For a head that travels as an object (an h2c stream); idempotent. */
    void addTo(HttpHeaders h) {
        if (forwardedFor != null) {
            h.set(Http.X_FORWARDED_FOR, forwardedFor);
        }
        if (proto != null) {
            h.set(Http.X_FORWARDED_PROTO, proto);
        }
        if (host != null) {
            h.set(Http.X_FORWARDED_HOST, host);
        }
        if (traced) {
            if (traceparentWritten) {
                h.set(TraceContext.TRACEPARENT, traceIds.traceparent());
            }
            if (requestIdFromTrace) {
                h.set(TraceContext.REQUEST_ID, traceIds.traceId());
            }
        }
    }

    /** For a head being encoded as HTTP/1.1: the header lines, before the blank line that ends it. */
    void writeTo(ByteBuf buf) {
        line(buf, Http.X_FORWARDED_FOR, forwardedFor);
        line(buf, Http.X_FORWARDED_PROTO, proto);
        line(buf, Http.X_FORWARDED_HOST, host);
        if (traced) {
            traceIds.writeHeaders(buf, traceparentWritten, requestIdFromTrace); // hex straight from the longs
        }
    }

    private static void line(ByteBuf buf, CharSequence name, CharSequence value) {
        if (value == null) {
            return;
        }
        buf.writeCharSequence(name, StandardCharsets.US_ASCII);
        buf.writeShort((':' << 8) | ' ');
        buf.writeCharSequence(value, StandardCharsets.US_ASCII);
        buf.writeShort(('\r' << 8) | '\n');
    }
}
