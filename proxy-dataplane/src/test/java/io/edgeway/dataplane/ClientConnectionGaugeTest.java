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
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeway_client_connections} counts client TCP connections, whatever they speak: N connections with
 * M requests or streams each in flight read N, and 0 once they are closed. Real clients on loopback, a target
 * that holds its answers until released so the streams stay open while the gauge is read.
 */
class ClientConnectionGaugeTest {
    private static final int CONNECTIONS = 3;
    private static final int STREAMS = 4;
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static SlowTarget slow;
    static WebSocketEchoBackend ws;
    static GrpcEchoServer grpc;
    static DataPlane dp;
    static TestCert local;

    @BeforeAll
    static void start() throws Exception {
        local = cert(dir, "local", "EC", "localhost");
        cp = new TestControlPlane(0);
        slow = new SlowTarget();
        ws = new WebSocketEchoBackend();
        grpc = new GrpcEchoServer();
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data"))
                .withTls(new TlsSettings(0, new DefaultCertificate("local", null))));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("slow").addTargets(OneRouteProxy.loopback(slow.port())))
                .addUpstreams(Upstream.newBuilder().setName("ws").addTargets(OneRouteProxy.loopback(ws.port())))
                .addUpstreams(Upstream.newBuilder().setName("grpc").addTargets(OneRouteProxy.loopback(grpc.port())))
                .addRoutes(Route.newBuilder().setName("slow").addHosts("slow.test").setUpstream("slow"))
                .addRoutes(Route.newBuilder().setName("ws").addHosts("ws.test").setUpstream("ws"))
                .addRoutes(Route.newBuilder().setName("grpc").addHosts("grpc.test").setUpstream("grpc"))
                .addCertificates(local.proto("localhost"))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, grpc, ws, slow, cp);
    }

    @AfterEach
    void everyConnectionIsUncountedOnceClosed() {
        slow.release();
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge() == 0);
    }

    static long gauge() {
        return dp.metrics().clientConnections.sum();
    }

    /** Waits until the target holds {@code requests} requests, then checks the gauge reads {@code connections}. */
    private static void assertHeldOpen(int requests, int connections) {
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.waiting.get() == requests);
        assertThat(gauge()).as("client connections while %d requests are in flight", requests).isEqualTo(connections);
    }

    @Test
    void http1OverPlainAndTls() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                sockets.add(send(new Socket("127.0.0.1", dp.proxyPort()), "GET /plain HTTP/1.1\r\nHost: slow.test\r\n\r\n"));
                Socket tls = TlsTestSupport.trusting(local).getSocketFactory().createSocket("127.0.0.1", dp.tlsPort());
                sockets.add(send(tls, "GET /tls HTTP/1.1\r\nHost: slow.test\r\n\r\n"));
            }
            assertHeldOpen(2 * CONNECTIONS, 2 * CONNECTIONS);
            slow.release();
            for (Socket s : sockets) {
                assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
            assertThat(gauge()).as("kept-alive connections after their requests").isEqualTo(2 * CONNECTIONS);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void h2cWithPriorKnowledgeAndH2OverTlsCountConnectionsNotStreams() throws Exception {
        SslContext alpnH2 = SslContextBuilder.forClient().trustManager(local.certFile().toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        List<H2StreamsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(new H2StreamsClient(dp.proxyPort(), null));
                clients.add(new H2StreamsClient(dp.tlsPort(), alpnH2));
            }
            for (H2StreamsClient c : clients) {
                for (int s = 0; s < STREAMS; s++) {
                    c.get("slow.test", "/stream" + s);
                }
            }
            assertHeldOpen(2 * CONNECTIONS * STREAMS, 2 * CONNECTIONS);
            slow.release();
            for (H2StreamsClient c : clients) {
                await().atMost(Duration.ofSeconds(20)).until(() -> c.finished.get() == STREAMS);
            }
            assertThat(gauge()).as("h2 connections after their streams ended").isEqualTo(2 * CONNECTIONS);
        } finally {
            for (H2StreamsClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anH2cUpgradeIsOneConnection() throws Exception {
        try (Socket s = send(new Socket("127.0.0.1", dp.proxyPort()), "GET /upgrade HTTP/1.1\r\nHost: slow.test\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")) {
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            send(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS
            assertHeldOpen(1, 1);
        }
    }

    @Test
    void webSocketTunnelsCountTheirClientConnection() throws Exception {
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Collector c = new Collector();
            WebSocket w = HttpClient.newHttpClient().newWebSocketBuilder().header("Host", "ws.test")
                    .buildAsync(URI.create("ws://127.0.0.1:" + dp.proxyPort() + "/ws"), c).join();
            w.sendText("hello " + i, true).join();
            assertThat(c.next()).isEqualTo("hello " + i); // the tunnel is up
            sockets.add(w);
        }
        assertThat(gauge()).as("open WebSocket tunnels").isEqualTo(CONNECTIONS);
        for (WebSocket w : sockets) {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }

    @Test
    void grpcStreamsOnOneChannelAreOneConnection() throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority("grpc.test")
                .usePlaintext().build();
        try {
            LinkedBlockingQueue<String> echoes = new LinkedBlockingQueue<>();
            List<StreamObserver<String>> calls = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                StreamObserver<String> call = ClientCalls.asyncBidiStreamingCall(
                        ch.newCall(GrpcEchoServer.CHAT, GrpcProxyTest.options()), new StreamObserver<>() {
                            public void onNext(String v) {
                                echoes.add(v);
                            }

                            public void onError(Throwable t) {
                                echoes.add("error: " + t);
                            }

                            public void onCompleted() {
                            }
                        });
                call.onNext("c" + i);
                calls.add(call);
            }
            for (int i = 0; i < STREAMS; i++) {
                assertThat(echoes.poll(20, TimeUnit.SECONDS)).as("echo %d", i).isNotNull().doesNotStartWith("error");
            }
            assertThat(gauge()).as("one gRPC channel with %d open streams", STREAMS).isEqualTo(1);
            calls.forEach(StreamObserver::onCompleted);
        } finally {
            ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Socket send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }
}
