package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.accesslog.AccessLog;
import io.edgeway.dataplane.accesslog.AccessRecord;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.relay.Observers;
import io.edgeway.dataplane.relay.TlsFields;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.trace.TraceContext;
import io.edgeway.dataplane.trace.TraceIds;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One gRPC call's access log line and span, as the HTTP path has them ({@code relay.Measurements}): measured as
 * the call goes, handed to the access log's writer once the client's stream closes. The line's duration is the
 * whole call (a stream may run for hours; the route's latency histogram counts only up to the response head),
 * its bytes are DATA frame payloads, and it carries the call's {@code grpc-status} from the trailers. Event
 * loop only; nothing is allocated unless a line or span is wanted.
 */
final class GrpcCallLog {
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");

    private final Observers observers;
    private long startNanos;
    private long headNanos = -1;
    private int status;
    private CharSequence grpcStatus;
    long bytesIn;
    long bytesOut;
    /** Null with trace context off (or before {@link #traceContext}). One per call: a call is not reused. */
    private TraceIds trace;
    private CharSequence requestId;
    private String host;
    private String path;
    private String client;
    private long configVersion;
    private boolean logged;

    GrpcCallLog(Observers observers) {
        this.observers = observers;
    }

    /** The client's request head: trace context goes on toward the target from here (when it is on). */
    void begin(Http2Headers request, String client, long configVersion) {
        startNanos = System.nanoTime();
        this.client = client;
        this.configVersion = configVersion;
        host = request.authority() == null ? null : request.authority().toString();
        path = request.path() == null ? null : request.path().toString();
    }

    /** Sets {@code traceparent} and {@code X-Request-Id} on the request sent on, as the HTTP path does. */
    void traceContext(Http2Headers request) {
        if (observers.traceContext()) {
            trace = new TraceIds();
            TraceContext.apply(request, observers.sampleNewTraces(), trace);
            requestId = request.get(TraceContext.REQUEST_ID);
        }
    }

    /** The first response head, or the proxy's own Trailers-Only answer. */
    void responseHead(int httpStatus) {
        if (headNanos < 0) {
            headNanos = System.nanoTime() - startNanos;
            status = httpStatus;
        }
    }

    /** The call's outcome: the grpc-status of trailers (or of a Trailers-Only head). */
    void trailers(Http2Headers trailers) {
        CharSequence s = trailers.get(GRPC_STATUS);
        if (s != null) {
            grpcStatus = s;
        }
    }

    /** The client's stream closed: the call is over, however it ended. Logged once. */
    void end(Channel stream, RouteRule route, Endpoint target) {
        AccessLog log = observers.accessLog();
        if (logged || log == null || startNanos == 0) {
            return;
        }
        logged = true;
        double sample = route != null ? route.accessLogSample() : 1;
        boolean line = log.writesLines()
                && (sample >= 1 || (sample > 0 && ThreadLocalRandom.current().nextDouble() < sample));
        boolean span = log.exportsSpans() && trace != null && trace.sampled();
        if (!line && !span) {
            return;
        }
        AccessRecord r = new AccessRecord();
        r.endNanos = System.nanoTime(); // the writer thread makes the wall-clock time of it
        r.totalNanos = r.endNanos - startNanos;
        r.requestId = requestId;
        if (trace != null) {
            r.trace(trace);
        }
        r.client = client;
        r.host = host;
        r.method = "POST";
        r.uri = path;
        r.protocol = "HTTP/2.0";
        r.status = status;
        r.grpcStatus = grpcStatus;
        r.bytesIn = bytesIn;
        r.bytesOut = bytesOut;
        r.connectNanos = -1; // an h2c connection to the target is shared by many calls: not this call's cost
        r.firstByteNanos = headNanos;
        if (route != null) {
            r.route = route.name();
            r.upstream = route.upstream().name();
        }
        r.target = target;
        r.attempts = target == null ? 0 : 1;
        r.configVersion = configVersion;
        String[] tls = TlsFields.of(stream);
        r.tlsVersion = tls[0];
        r.sni = tls[1];
        r.writeLine = line;
        r.exportSpan = span;
        log.offer(r);
    }
}
