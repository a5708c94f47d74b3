package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir).withLimits(LimitSettings.DEFAULTS.withConnections(3, 2)));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(
                        Target.newBuilder().setHost("127.0.0.1").setPort(backend.port()).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("t").addHosts("t.test").setUpstream("t"))
                .build());
        await().until(() -> dp.appliedVersion() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dp, backend, cp}) {
            if (c != null) {
                c.close();
            }
        }
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
}
