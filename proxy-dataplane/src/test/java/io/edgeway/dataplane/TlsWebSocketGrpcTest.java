package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.dataplane.WebSocketProxyTest.Collector;
import io.edgeway.dataplane.tls.DefaultCertificate;
import io.edgeway.dataplane.tls.TlsSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket (HTTP/1.1 after ALPN) and gRPC (h2 after ALPN) through the TLS listener, with real clients. */
class TlsWebSocketGrpcTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static WebSocketEchoBackend ws;
    static GrpcEchoServer grpc;
    static DataPlane dp;
    static TestCert local;
    static TestCert grpcCert;

    @BeforeAll
    static void start() throws Exception {
        local = cert(dir, "local", "EC", "localhost");
        grpcCert = cert(dir, "grpc", "RSA", "grpc.test");
        cp = new TestControlPlane(0);
        ws = new WebSocketEchoBackend();
        grpc = new GrpcEchoServer();
        // the JDK client sends no SNI for "localhost": the default certificate answers it
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data"))
                .withTls(new TlsSettings(0, new DefaultCertificate("local", null))));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("ws").addTargets(OneRouteProxy.loopback(ws.port())))
                .addUpstreams(Upstream.newBuilder().setName("grpc").addTargets(OneRouteProxy.loopback(grpc.port())))
                .addRoutes(Route.newBuilder().setName("ws").addHosts("ws.test").setUpstream("ws"))
                .addRoutes(Route.newBuilder().setName("grpc").addHosts("grpc.test").setUpstream("grpc"))
                .addCertificates(local.proto("localhost")).addCertificates(grpcCert.proto("grpc.test"))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, grpc, ws, cp);
    }

    @Test
    void aWebSocketEchoesOverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TlsTestSupport.trusting(local)).build();
        Collector c = new Collector();
        WebSocket w = client.newWebSocketBuilder().header("Host", "ws.test").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("wss://localhost:" + dp.tlsPort() + "/ws"), c).join();
        w.sendText("over tls", true).join();
        assertThat(c.next()).isEqualTo("over tls");
        w.sendBinary(ByteBuffer.wrap(new byte[] {4, 5, 6}), true).join();
        assertThat((byte[]) c.next()).containsExactly(4, 5, 6);
        w.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        assertThat(c.closed.get(20, TimeUnit.SECONDS)).startsWith("1000");
    }

    @Test
    void grpcCallsAreRelayedOverTlsWithForwardedProtoHttps() throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", dp.tlsPort()).overrideAuthority("grpc.test")
                .sslContext(GrpcSslContexts.forClient().trustManager(grpcCert.certFile().toFile()).build()).build();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, GrpcProxyTest.options(), "t" + i))
                        .isEqualTo("echo:t" + i);
            }
            assertThat(grpc.lastHeaders.get(Metadata.Key.of("x-forwarded-proto", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo("https");
            var replies = ClientCalls.blockingServerStreamingCall(ch, GrpcEchoServer.MANY, GrpcProxyTest.options(), "3:x");
            java.util.List<String> got = new java.util.ArrayList<>();
            replies.forEachRemaining(got::add);
            assertThat(got).containsExactly("0:x", "1:x", "2:x");
        } finally {
            ch.shutdownNow();
        }
    }
}
