package io.edgeway.dataplane.trace;

import io.edgeway.dataplane.accesslog.AccessRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One SERVER span per sampled request, built from its {@link AccessRecord} on the access log's writer thread
 * (never on an event loop) and exported over OTLP/HTTP by the SDK's BatchSpanProcessor. The span's trace id and
 * span id are the ones the proxy sent to the target (so the target's spans are its children), its parent the
 * client's span when there was one, its start and end the request's own. Attributes follow the OpenTelemetry
 * HTTP server conventions. Spans the exporter cannot keep up with are dropped here and counted, before the
 * processor's own bounded queue would drop them silently. Single writer thread: {@link #export} is not
 * thread-safe (the id hand-over below relies on it).
 */
public final class SpanExport implements AutoCloseable {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("edgeway.route");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("edgeway.upstream");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("edgeway.request_id");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("edgeway.attempts");
    static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final CountingExporter exporter;
    private final int queue;
    private final LongAdder dropped;
    /** Spans ended so far (writer thread only). */
    private long ended;
    /** The ids the SDK is to give the span being started: the SDK asks its IdGenerator, on this thread. */
    private String nextTraceId;
    private String nextSpanId;

    public SpanExport(OtlpSettings settings, String nodeId, LongAdder dropped, LongAdder failed) {
        this.queue = settings.queue();
        this.dropped = dropped;
        this.exporter = new CountingExporter(OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.tracesUrl())
                .setTimeout(Duration.ofSeconds(5))
                .build(), failed);
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.builder()
                        .put("service.name", "edgeway-proxy").put("service.instance.id", nodeId).build()))
                .setSampler(Sampler.alwaysOn()) // the proxy decided when it sent the traceparent
                .setIdGenerator(new IdGenerator() {
                    @Override
                    public String generateSpanId() {
                        return nextSpanId;
                    }

                    @Override
                    public String generateTraceId() {
                        return nextTraceId;
                    }
                })
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setMaxQueueSize(queue)
                        .setMaxExportBatchSize(Math.min(512, queue))
                        .setScheduleDelay(Duration.ofMillis(500))
                        .build())
                .build();
        this.tracer = provider.get("io.edgeway.proxy");
    }

    /** The record's span, ended at the request's end; dropped and counted when the exporter is behind. */
    public void export(AccessRecord r) {
        if (ended - exporter.taken() >= queue) { // the processor's queue is full: it would drop it unseen
            dropped.increment();
            return;
        }
        nextTraceId = TraceIds.traceIdHex(r.traceHigh, r.traceLow);
        nextSpanId = TraceIds.hex(r.spanId);
        String parent = r.parentSpanId == 0 ? null : TraceIds.hex(r.parentSpanId);
        long endNanos = TimeUnit.MILLISECONDS.toNanos(r.timeMillis);
        SpanBuilder b = tracer.spanBuilder(r.method).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(endNanos - r.totalNanos, TimeUnit.NANOSECONDS);
        if (parent != null) {
            b.setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(nextTraceId, parent,
                    TraceFlags.getSampled(), TraceState.getDefault()))));
        } else {
            b.setNoParent();
        }
        b.setAttribute(METHOD, r.method);
        b.setAttribute(PATH, path(r.uri));
        if (r.status > 0) {
            b.setAttribute(STATUS, (long) r.status);
        }
        hostAndPort(b, r.host, SERVER_ADDRESS, SERVER_PORT);
        b.setAttribute(CLIENT_ADDRESS, r.client);
        b.setAttribute(PROTOCOL_VERSION, protocolVersion(r.protocol));
        if (r.target != null) {
            hostAndPort(b, r.target.toString(), PEER_ADDRESS, PEER_PORT);
        }
        b.setAttribute(ROUTE, r.route);
        b.setAttribute(UPSTREAM, r.upstream);
        if (r.requestId != null) {
            b.setAttribute(REQUEST_ID, r.requestId.toString());
        }
        b.setAttribute(ATTEMPTS, (long) r.attempts);
        int grpc = grpcStatus(r.grpcStatus);
        if (grpc >= 0) {
            b.setAttribute(GRPC_STATUS, (long) grpc);
        }
        Span span = b.startSpan();
        if (r.status >= 500 || grpcServerError(grpc)) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end(endNanos, TimeUnit.NANOSECONDS);
        ended++;
    }

    /** A gRPC status code (0-16 are defined; a target may send more), or -1 for none or not a number. */
    static int grpcStatus(CharSequence s) {
        if (s == null || s.length() == 0 || s.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * OpenTelemetry's gRPC conventions for a SERVER span: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
     * UNAVAILABLE and DATA_LOSS are the server's errors; the rest (e.g. NOT_FOUND) are the caller's.
     */
    static boolean grpcServerError(int code) {
        return code == 2 || code == 4 || code == 12 || code == 13 || code == 14 || code == 15;
    }

    /** url.path: the request target without its query (which may carry secrets) or fragment. */
    static String path(String uri) {
        if (uri == null) {
            return null;
        }
        int end = uri.length();
        int q = uri.indexOf('?');
        int f = uri.indexOf('#');
        if (q >= 0) {
            end = q;
        }
        if (f >= 0 && f < end) {
            end = f;
        }
        return uri.substring(0, end);
    }

    /** "HTTP/1.1" → "1.1", "HTTP/2.0" → "2" (the conventions' spelling). */
    static String protocolVersion(String protocol) {
        if (protocol == null) {
            return null;
        }
        String v = protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol;
        return v.equals("2.0") ? "2" : v;
    }

    /** "host", "host:port", "[v6]:port" or a bare IPv6 address into an address and, when there is one, a port. */
    static void hostAndPort(SpanBuilder b, String value, AttributeKey<String> address, AttributeKey<Long> port) {
        if (value == null || value.isEmpty()) {
            return;
        }
        String host = value;
        String portText = null;
        int close = value.indexOf(']');
        if (value.startsWith("[") && close > 0) {
            host = value.substring(1, close);
            if (value.length() > close + 1 && value.charAt(close + 1) == ':') {
                portText = value.substring(close + 2);
            }
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            portText = value.substring(value.indexOf(':') + 1);
        }
        b.setAttribute(address, host);
        if (portText != null) {
            try {
                b.setAttribute(port, Long.parseLong(portText));
            } catch (NumberFormatException e) {
                // not a port (the Host header is the client's): the address alone is still right
            }
        }
    }

    /** Sends what is queued (for up to 5 s: a collector that is down is not waited for longer), then stops. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
