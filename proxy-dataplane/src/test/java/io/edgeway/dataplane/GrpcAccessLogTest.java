package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC calls get what HTTP requests get from the access log and trace context: one JSON line per call (route,
 * target, path, grpc-status, DATA bytes, the trace id the target saw) and a traceparent passed to the target.
 */
class GrpcAccessLogTest {
    static final ObjectMapper json = new ObjectMapper();
    static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    @TempDir
    Path dir;
    TestControlPlane cp;
    GrpcEchoServer server;
    DataPlane dp;
    Path log;

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        server = new GrpcEchoServer();
        log = dir.resolve("access.log");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data"))
                .withObservability(new Settings.Observability(AccessLogSettings.OFF.to(log.toString()), true)));
        cp.push(Snapshot.newBuilder().setVersion(4).setNonce("n4")
                .addUpstreams(Upstream.newBuilder().setName("echo").addTargets(Target.newBuilder()
                        .setHost("127.0.0.1").setPort(server.port()).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("grpc").addHosts("grpc.test").setUpstream("echo"))
                .build());
        await().until(() -> cp.answered(4, true));
    }

    @AfterEach
    void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        server.close();
        cp.close();
    }

    ManagedChannel channel(String authority) {
        return NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority(authority)
                .usePlaintext().build();
    }

    List<JsonNode> lines(int expected) throws Exception {
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= expected);
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            out.add(json.readTree(line));
        }
        return out;
    }

    @Test
    void eachCallIsLoggedWithItsStatusBytesAndTheTraceTheTargetSaw() throws Exception {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Metadata sent = new Metadata();
        sent.put(TRACEPARENT, "00-" + trace + "-00f067aa0ba902b7-01");
        ManagedChannel ch = channel("grpc.test");
        try {
            String answer = ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, GrpcProxyTest.options(), "hello");
            assertThat(answer).isEqualTo("echo:hello");
            Metadata seenFirst = server.lastHeaders;
            assertThat(seenFirst.get(TRACEPARENT)).as("a trace is started when the client sends none")
                    .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");

            io.grpc.Channel traced = io.grpc.ClientInterceptors.intercept(ch,
                    MetadataUtils.newAttachHeadersInterceptor(sent));
            Status failed = Status.fromThrowable(org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> ClientCalls.blockingUnaryCall(traced, GrpcEchoServer.FAIL, GrpcProxyTest.options(), "x")));
            assertThat(failed.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            String seen = server.lastHeaders.get(TRACEPARENT);
            assertThat(seen).as("the client's trace id goes on under this hop's span").startsWith("00-" + trace + "-")
                    .doesNotContain("00f067aa0ba902b7");

            List<JsonNode> lines = lines(2);
            assertThat(lines).hasSize(2);
            JsonNode ok = lines.get(0);
            assertThat(ok.get("route").asText()).isEqualTo("grpc");
            assertThat(ok.get("upstream").asText()).isEqualTo("echo");
            assertThat(ok.get("target").asText()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(ok.get("method").asText()).isEqualTo("POST");
            assertThat(ok.get("path").asText()).isEqualTo("/" + GrpcEchoServer.SERVICE + "/Unary");
            assertThat(ok.get("protocol").asText()).isEqualTo("HTTP/2.0");
            assertThat(ok.get("status").asInt()).isEqualTo(200);
            assertThat(ok.get("grpc_status").asText()).isEqualTo("0");
            // gRPC frames a message as 5 bytes (flag, length) + the message
            assertThat(ok.get("bytes_in").asLong()).isEqualTo(5 + "hello".getBytes(StandardCharsets.UTF_8).length);
            assertThat(ok.get("bytes_out").asLong()).isEqualTo(5 + "echo:hello".length());
            assertThat(ok.get("trace_id").asText()).isEqualTo(seenFirst.get(TRACEPARENT).substring(3, 35));
            assertThat(ok.get("request_id").asText()).isEqualTo(seenFirst.get(REQUEST_ID));
            assertThat(ok.get("config_version").asLong()).isEqualTo(4);

            JsonNode bad = lines.get(1);
            assertThat(bad.get("path").asText()).isEqualTo("/" + GrpcEchoServer.SERVICE + "/Fail");
            assertThat(bad.get("grpc_status").asText()).isEqualTo(String.valueOf(Status.Code.FAILED_PRECONDITION.value()));
            assertThat(bad.get("trace_id").asText()).isEqualTo(trace);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void aCallNoRouteTakesIsLoggedWithTheProxysOwnStatus() throws Exception {
        ManagedChannel ch = channel("nowhere.test");
        try {
            Status s = GrpcProxyTest.statusOf(ch, "x");
            assertThat(s.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            JsonNode line = lines(1).get(0);
            assertThat(line.get("route").isNull()).isTrue();
            assertThat(line.get("status").asInt()).as("counted as the HTTP path answers it").isEqualTo(404);
            assertThat(line.get("grpc_status").asText()).isEqualTo(String.valueOf(Status.Code.UNIMPLEMENTED.value()));
        } finally {
            ch.shutdownNow();
        }
    }
}
