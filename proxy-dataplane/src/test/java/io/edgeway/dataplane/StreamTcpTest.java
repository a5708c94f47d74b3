package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HealthCheck;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP stream routes through a real proxy on loopback: relay, half-close, backpressure, ports coming and going, health. */
class StreamTcpTest {
    @TempDir
    static Path dataDir;
    static StreamHarness h;
    static EchoTarget echo;

    @BeforeAll
    static void start() throws Exception {
        h = new StreamHarness(dataDir, StreamHarness.settings());
        echo = new EchoTarget("echo");
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        echo.close();
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(20_000);
        return s;
    }

    static String roundTrip(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] back = new DataInputStream(s.getInputStream()).readNBytes(line.length() + 1);
        return new String(back, StandardCharsets.US_ASCII).trim();
    }

    @Test
    void echoesThroughATcpRoute() throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port())).addStreamRoutes(tcp("echo-tcp", port, "echo")));
        try (Socket s = connect(port)) {
            assertThat(roundTrip(s, "hello through the proxy")).isEqualTo("hello through the proxy");
            assertThat(roundTrip(s, "and again")).isEqualTo("and again");
        }
        await().untilAsserted(() -> assertThat(h.metric("edgeway_stream_bytes_total{direction=\"in\",route=\"echo-tcp\"}"))
                .isEqualTo(34.0));
    }

    @Test
    void aClientThatShutsItsOutputStillReadsTheWholeReply() throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port())).addStreamRoutes(tcp("half", port, "echo")));
        try (Socket s = connect(port)) {
            byte[] sent = "a request, then FIN".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(sent);
            s.shutdownOutput(); // the echo target answers only after it sees this FIN through the proxy
            byte[] got = s.getInputStream().readAllBytes(); // to the target's FIN
            assertThat(got).isEqualTo(sent);
        }
    }

    @Test
    void oneGibibyteBothWaysKeepsTheProxysBufferMemoryFlat() throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port())).addStreamRoutes(tcp("bulk", port, "echo")));
        long total = 1L << 30;
        AtomicLong maxDirect = new AtomicLong();
        try (Socket s = connect(port)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        out.write(chunk);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            boolean paused = false;
            for (int n; (n = in.read(buf)) >= 0; ) {
                received += n;
                maxDirect.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                if (!paused && received > (64 << 20)) {
                    // A client that stops reading for a while: without backpressure the proxy would keep reading
                    // from the target (and the writer) and hold everything in its buffers meanwhile.
                    paused = true;
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(100);
                        maxDirect.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                    }
                }
            }
            writer.join();
            assertThat(received).isEqualTo(total);
        }
        // Netty's pool grows by 4 MiB chunks; two event loops relaying two directions need a few of them.
        assertThat(maxDirect.get()).isLessThan(48L << 20);
    }

    @Test
    void aRouteAddedAndRemovedUnderLoadEndsOnlyTheRemovedPortsConnections() throws Exception {
        int stays = freePort();
        int goes = freePort();
        Snapshot.Builder both = Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port()))
                .addStreamRoutes(tcp("stays", stays, "echo")).addStreamRoutes(tcp("goes", goes, "echo"));
        h.apply(both);
        List<Socket> kept = new ArrayList<>();
        List<Socket> removed = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                kept.add(connect(stays));
                removed.add(connect(goes));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(roundTrip(kept.get(i), "k" + i)).isEqualTo("k" + i);
                assertThat(roundTrip(removed.get(i), "r" + i)).isEqualTo("r" + i);
            }
            int added = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port()))
                    .addStreamRoutes(tcp("stays", stays, "echo")).addStreamRoutes(tcp("added", added, "echo")));
            assertThatThrownBy(() -> connect(goes).close()).isInstanceOf(ConnectException.class);
            // the removed port's connections still relay during the drain, then end (drain timeout 1 s)
            for (Socket r : removed) {
                assertThat(r.getInputStream().read()).isEqualTo(-1);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(roundTrip(kept.get(i), "still " + i)).isEqualTo("still " + i);
            }
            try (Socket a = connect(added)) {
                assertThat(roundTrip(a, "new port")).isEqualTo("new port");
            }
        } finally {
            for (Socket s : kept) {
                s.close();
            }
            for (Socket s : removed) {
                s.close();
            }
        }
    }

    @Test
    void aPortAlreadyInUseQuarantinesItsRouteNamedInTheAckAndTheOtherPortsServe() throws Exception {
        int fine = freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long v = h.push(Snapshot.newBuilder().addUpstreams(upstream("echo", echo.port()))
                    .addStreamRoutes(tcp("fine", fine, "echo"))
                    .addStreamRoutes(tcp("squatted", taken.getLocalPort(), "echo")));
            await().atMost(Duration.ofSeconds(20)).until(() -> h.cp.answered(v, true) || h.cp.answered(v, false));
            List<ResourceError> quarantined = h.cp.ack(v).getAck().getQuarantinedList();
            assertThat(quarantined).hasSize(1);
            assertThat(quarantined.get(0).getKind()).isEqualTo("stream_route");
            assertThat(quarantined.get(0).getName()).isEqualTo("squatted");
            assertThat(quarantined.get(0).getField()).isEqualTo("listen_port");
            assertThat(h.dp.appliedVersion()).isEqualTo(v);
            try (Socket s = connect(fine)) {
                assertThat(roundTrip(s, "still served")).isEqualTo("still served");
            }
        }
    }

    @Test
    void aTargetFailingItsHttpHealthCheckIsSkipped() throws Exception {
        try (EchoTarget good = new EchoTarget("good"); EchoTarget sick = new EchoTarget("sick")) {
            sick.healthStatus = 503;
            int port = freePort();
            HealthCheck check = HealthCheck.newBuilder().setActive(ActiveHealthCheck.newBuilder().setPath("/health")
                    .setExpectedStatus(200).setIntervalMs(100).setTimeoutMs(1000)).build();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("pair", good.port(), sick.port()).setHealthCheck(check))
                    .addStreamRoutes(tcp("checked", port, "pair")));
            await().untilAsserted(() -> assertThat(h.metric(
                    "edgeway_upstream_target_healthy{target=\"127.0.0.1:" + sick.port() + "\",upstream=\"pair\"}")).isEqualTo(0.0));
            for (int i = 0; i < 10; i++) {
                try (Socket s = connect(port)) {
                    assertThat(roundTrip(s, "who").split("\n")[0]).isEqualTo("good");
                }
            }
        }
    }

    @Test
    void aTcpConnectCheckMarksATargetThatRefusesUnhealthy() throws Exception {
        int dead = FreePorts.refused(); // nothing listens there, and nothing can
        int port = freePort();
        HealthCheck check = HealthCheck.newBuilder().setActive(ActiveHealthCheck.newBuilder() // no path: TCP connect
                .setIntervalMs(100).setTimeoutMs(1000)).build();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("tcpchecked", echo.port(), dead).setHealthCheck(check))
                .addStreamRoutes(tcp("tcp-checked", port, "tcpchecked")));
        await().untilAsserted(() -> {
            assertThat(h.metric("edgeway_upstream_target_healthy{target=\"127.0.0.1:" + dead + "\",upstream=\"tcpchecked\"}"))
                    .isEqualTo(0.0);
            assertThat(h.metric("edgeway_upstream_target_healthy{target=\"127.0.0.1:" + echo.port() + "\",upstream=\"tcpchecked\"}"))
                    .isEqualTo(1.0);
        });
    }
}
