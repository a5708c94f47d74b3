package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.accesslog.AccessLog;
import io.edgeway.dataplane.accesslog.AccessRecord;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.status.RouteMeter;
import io.edgeway.dataplane.trace.TraceContext;
import io.edgeway.dataplane.trace.TraceIds;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one request's metrics and access log line need, measured as it goes (System.nanoTime()), and its
 * counting once it is over. One per {@link Exchange}, reset for each request; with the access log on, a
 * request allocates one {@link AccessRecord} for the writer thread. Event loop only.
 */
final class Measurements {
    private final Exchange exchange;
    private final Metrics metrics;

    /** Begun and not yet counted: {@link #record} counts each request once, however it ends. */
    private boolean open;
    private long startNanos;
    private long connectStartNanos;
    private long sentNanos;
    /** -1 when the request needed no new connection, or never reached a target. */
    private long connectNanos;
    private long firstByteNanos;
    /** The answer's status as sent to the client; 0 while none was. */
    int status;
    /** The proxy answered itself (not the target): its 429 and 413 are the limits' refusals. */
    boolean local;
    long bodyIn;
    long bodyOut;
    /** The trace context sent on (null with trace context off, or before routing); its numbers go in the record. */
    TraceIds trace;
    /** With {@link #trace}: the client's X-Request-Id that was kept, or null when the trace id replaced it. */
    CharSequence requestId;
    /** The Host header as onRequest read it (null before, or when the request had none). */
    String host;
    long configVersion;
    /** Sends of the request to a target (a retry or a reconnect adds one). */
    int attempts;

    Measurements(Exchange exchange, Metrics metrics) {
        this.exchange = exchange;
        this.metrics = metrics;
    }

    void begin() {
        open = true;
        startNanos = System.nanoTime();
        connectNanos = -1;
        firstByteNanos = -1;
        status = 0;
        local = false;
        bodyIn = 0;
        bodyOut = 0;
        trace = null;
        requestId = null;
        host = null;
        attempts = 0;
    }

    void connecting() {
        connectStartNanos = System.nanoTime();
    }

    void connected(RouteRule route) {
        connectNanos = System.nanoTime() - connectStartNanos;
        route.meter().connected(connectNanos);
    }

    void sent() {
        sentNanos = System.nanoTime();
    }

    /** The target's final head is on its way to the client. */
    void responseHead(RouteRule route, int code) {
        status = code;
        firstByteNanos = System.nanoTime() - sentNanos;
        route.meter().firstByte(firstByteNanos);
    }

    /**
     * The request is over, however it ended: counted once, on its route's meter (or the unrouted one). A
     * client gone before any answer is status 0 here ("other"; 499 in the access log, as nginx says).
     */
    void record() {
        if (!open) {
            return;
        }
        open = false;
        long endNanos = System.nanoTime();
        long nanos = endNanos - startNanos;
        RouteRule route = exchange.route;
        RouteMeter m = route != null ? route.meter() : metrics.unrouted();
        m.request(exchange.request.method(), status, nanos, bodyIn, bodyOut);
        if (local && status == 429) {
            m.rateLimited();
        } else if (local && status == 413) {
            m.bodyTooLarge();
        }
        AccessLog log = exchange.loop().observers().accessLog();
        if (log != null) {
            double sample = route != null ? route.accessLogSample() : 1;
            boolean line = log.writesLines()
                    && (sample >= 1 || (sample > 0 && ThreadLocalRandom.current().nextDouble() < sample));
            // the sampling decision was made when the traceparent was sent, and rides in its flags
            boolean span = log.exportsSpans() && trace != null && trace.sampled();
            if (line || span) {
                AccessRecord r = accessRecord(log, route, endNanos, nanos);
                r.writeLine = line;
                r.exportSpan = span;
                log.offer(r);
            }
        }
    }

    private AccessRecord accessRecord(AccessLog log, RouteRule route, long endNanos, long nanos) {
        HttpRequest request = exchange.request;
        AccessRecord r = new AccessRecord(); // not pooled: see AccessRecord
        r.endNanos = endNanos; // the writer thread makes the wall-clock time of it: one clock read less here
        HttpHeaders h = request.headers();
        if (trace == null) { // trace context off, or the request never went to a target
            r.requestId = h.get(TraceContext.REQUEST_ID);
        } else { // the one the target got: the client's kept one, or the trace id
            r.requestId = requestId;
            r.requestIdFromTrace = requestId == null; // the writer thread formats the trace id
            r.trace(trace);
        }
        r.client = exchange.frontend.clientIp();
        r.host = host != null ? host : h.get(HttpHeaderNames.HOST); // read once, in onRequest, when it got that far
        r.method = request.method().name();
        r.uri = request.uri();
        r.protocol = request.protocolVersion().text();
        r.status = status;
        r.bytesIn = bodyIn;
        r.bytesOut = bodyOut;
        r.totalNanos = nanos;
        r.connectNanos = connectNanos;
        r.firstByteNanos = firstByteNanos;
        if (route != null) {
            r.route = route.name();
            r.upstream = route.upstream() == null ? null : route.upstream().name(); // null: a site or redirect route
        }
        r.target = exchange.lease.target();
        r.attempts = attempts;
        r.configVersion = configVersion;
        String[] tls = exchange.frontend.tls();
        r.tlsVersion = tls[0];
        r.sni = tls[1];
        if (log.writesLines() && log.combined()) { // only nginx's format has them: two header lookups saved per request otherwise
            r.referer = h.get(HttpHeaderNames.REFERER);
            r.userAgent = h.get(HttpHeaderNames.USER_AGENT);
        }
        return r;
    }
}
