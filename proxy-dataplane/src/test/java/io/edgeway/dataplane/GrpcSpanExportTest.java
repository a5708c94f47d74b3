package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.dataplane.trace.OtlpSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gRPC call is one SERVER span like an HTTP request, with its grpc-status; only the server-side gRPC codes
 * (OpenTelemetry's list: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS) make it
 * an error, so a FAILED_PRECONDITION the service chose is not the proxy's error.
 */
class GrpcSpanExportTest {
    static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    @TempDir
    Path dir;
    TestControlPlane cp;
    GrpcEchoServer server;
    OtlpReceiver receiver;
    DataPlane dp;
    ManagedChannel ch;

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        server = new GrpcEchoServer();
        receiver = new OtlpReceiver();
        dp = DataPlane.start(Settings.forTest(cp.port(), dir).withObservability(
                new Settings.Observability(AccessLogSettings.OFF, true).withOtlp(OtlpSettings.OFF.to(receiver.endpoint(), 1))));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n")
                .addUpstreams(Upstream.newBuilder().setName("echo").addTargets(Target.newBuilder()
                        .setHost("127.0.0.1").setPort(server.port()).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("grpc").addHosts("grpc.test").setUpstream("echo"))
                .build());
        await().until(() -> cp.answered(1, true));
    }

    @AfterEach
    void stop() throws Exception {
        if (ch != null) {
            ch.shutdownNow();
        }
        OneRouteProxy.closeAll(dp, server, receiver, cp);
    }

    /** Calls {@code method} on {@code authority} under a new sampled trace; answers the trace id. */
    String call(String authority, io.grpc.MethodDescriptor<String, String> method, String request) {
        String trace = OtlpExportTest.randomHex(16);
        Metadata headers = new Metadata();
        headers.put(TRACEPARENT, "00-" + trace + "-" + OtlpExportTest.randomHex(8) + "-01");
        ch = NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority(authority).usePlaintext().build();
        try {
            ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers)),
                    method, GrpcProxyTest.options(), request);
        } catch (StatusRuntimeException expected) {
            // the status is read back from the span
        } finally {
            ch.shutdownNow();
        }
        return trace;
    }

    Span span(String trace) {
        await().until(() -> receiver.spans.stream().anyMatch(s -> OtlpExportTest.hex(s.getTraceId()).equals(trace)));
        return receiver.spans.stream().filter(s -> OtlpExportTest.hex(s.getTraceId()).equals(trace)).findFirst().orElseThrow();
    }

    @Test
    void callsAreSpansWithTheirGrpcStatusAndOnlyServerCodesAreErrors() {
        Span ok = span(call("grpc.test", GrpcEchoServer.UNARY, "x"));
        assertThat(ok.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(OtlpExportTest.attributes(ok)).containsEntry("rpc.grpc.status_code", 0L)
                .containsEntry("edgeway.route", "grpc")
                .containsEntry("url.path", "/" + GrpcEchoServer.SERVICE + "/Unary");
        assertThat(ok.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);

        Span refused = span(call("grpc.test", GrpcEchoServer.FAIL, "x"));
        assertThat(OtlpExportTest.attributes(refused))
                .containsEntry("rpc.grpc.status_code", (long) io.grpc.Status.Code.FAILED_PRECONDITION.value());
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);

        Span broken = span(call("grpc.test", GrpcEchoServer.FAIL, "internal"));
        assertThat(OtlpExportTest.attributes(broken)).as("HTTP said 200: only the grpc-status tells")
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("rpc.grpc.status_code", (long) io.grpc.Status.Code.INTERNAL.value());
        assertThat(broken.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    }
}
