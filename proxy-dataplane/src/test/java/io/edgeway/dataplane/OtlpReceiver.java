package io.edgeway.dataplane;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny OTLP/HTTP collector on loopback: POST /v1/traces with a protobuf body; keeps every span it got. */
final class OtlpReceiver implements AutoCloseable {
    final List<Span> spans = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", ex -> {
            try (ex; InputStream in = ex.getRequestBody()) {
                if (!ex.getRequestMethod().equals("POST")) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
                ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : req.getResourceSpansList()) {
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        spans.addAll(ss.getSpansList());
                    }
                }
                byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
                ex.getResponseBody().write(ok);
            } catch (Throwable t) { // the JDK server would drop it silently: make a broken receiver visible
                t.printStackTrace();
                throw t;
            }
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
