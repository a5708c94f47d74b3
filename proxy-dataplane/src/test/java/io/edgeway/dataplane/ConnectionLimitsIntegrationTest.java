package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EDGEWAY_MAX_CONNECTIONS=3 on each listener and EDGEWAY_MAX_CONNECTIONS_PER_IP=2; clients from several loopback addresses. */
class ConnectionLimitsIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend backend;
    static WebSocketEchoBackend ws;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        ws = new WebSocketEchoBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir).withLimits(LimitSettings.DEFAULTS.withConnections(3, 2)));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("t").addHosts("t.test").setUpstream("t"))
                .addUpstreams(Upstream.newBuilder().setName("ws").addTargets(OneRouteProxy.loopback(ws.port())))
                .addRoutes(Route.newBuilder().setName("ws").addHosts("ws.test").setUpstream("ws"))
                .build(), dp);
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, ws, backend, cp);
    }

    static Socket open(String fromIp) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
        s.connect(new InetSocketAddress("127.0.0.1", dp.proxyPort()));
        s.setSoTimeout(10_000);
        return s;
    }

    /** A request on a new connection from {@code fromIp}: its status line, or "" when the proxy closed it unanswered. */
    static String request(String fromIp) throws Exception {
        try (Socket s = open(fromIp)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String all;
            try {
                all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                all = "";
            }
            return all.isEmpty() ? "" : all.substring(0, all.indexOf("\r\n"));
        }
    }

    @Test
    void aThirdConnectionFromOneAddressAndAFourthOnTheListenerAreClosed() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.3");
        long refusedBefore = dp.connectionLimits().refused.sum();
        try (Socket first = open("127.0.0.3"); Socket second = open("127.0.0.3")) {
            await().until(() -> dp.connectionLimits().openFrom(a) == 2);
            assertThat(request("127.0.0.3")).isEmpty();                    // per address: 2 open already
            assertThat(request("127.0.0.4")).isEqualTo("HTTP/1.1 200 OK");  // another address: 3rd on the listener
            InetAddress b = InetAddress.getByName("127.0.0.4");
            await().until(() -> dp.connectionLimits().openFrom(b) == 0); // that request's connection has closed
            try (Socket third = open("127.0.0.4")) {
                await().until(() -> dp.connectionLimits().openFrom(b) == 1);
                assertThat(request("127.0.0.5")).isEmpty();                 // the listener's 4th
            }
            assertThat(dp.connectionLimits().refused.sum() - refusedBefore).isEqualTo(2);
        }
        await().until(() -> dp.connectionLimits().openFrom(a) == 0);
        assertThat(request("127.0.0.3")).isEqualTo("HTTP/1.1 200 OK");     // closing gives the places back
    }

    /**
     * A WebSocket tunnel rebuilds the connection's pipeline without the limits' handler; its places must still be
     * given back when it closes (they leaked: an address that had opened two WebSockets was refused from then on).
     */
    @Test
    void closedWebSocketTunnelsGiveTheirPlacesBack() throws Exception {
        InetAddress local = InetAddress.getByName("127.0.0.1"); // the JDK's WebSocket client connects from here
        for (int round = 0; round < 2; round++) { // twice: two tunnels fill the address's limit of 2
            List<WebSocket> tunnels = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                WebSocketProxyTest.Collector c = new WebSocketProxyTest.Collector();
                WebSocket w = HttpClient.newHttpClient().newWebSocketBuilder().header("Host", "ws.test")
                        .buildAsync(URI.create("ws://127.0.0.1:" + dp.proxyPort() + "/ws"), c).join();
                w.sendText("hello " + i, true).join();
                assertThat(c.next()).isEqualTo("hello " + i); // the tunnel is up
                tunnels.add(w);
            }
            assertThat(dp.connectionLimits().openFrom(local)).isEqualTo(2);
            for (WebSocket w : tunnels) {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            }
            await().until(() -> dp.connectionLimits().openFrom(local) == 0);
        }
        assertThat(request("127.0.0.1")).isEqualTo("HTTP/1.1 200 OK");
    }
}
