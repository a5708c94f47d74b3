package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.udp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.proto.v1.Snapshot;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UDP stream routes: per-client sessions, replies to the right client only, a bounded session table. */
class StreamUdpTest {
    static final int MAX_SESSIONS = 1200;
    @TempDir
    static Path dataDir;
    static StreamHarness h;
    static UdpEchoTarget target;

    @BeforeAll
    static void start() throws Exception {
        h = new StreamHarness(dataDir, StreamHarness.settings().withUdpMaxSessions(MAX_SESSIONS));
        target = new UdpEchoTarget();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        target.close();
    }

    static DatagramSocket client() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(5_000);
        return s;
    }

    static void send(DatagramSocket s, int port, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
    }

    static String receive(DatagramSocket s) throws Exception {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void aThousandClientsEachGetOnlyTheirOwnReplies() throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("dns", target.port())).addStreamRoutes(udp("dns", port, "dns")));
        target.senders.clear(); // the other test's sessions closed with its route
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(client());
            }
            for (int round = 0; round < 2; round++) {
                for (int from = 0; from < 1000; from += 50) { // in batches: a socket buffer holds only so many
                    for (int i = from; i < from + 50; i++) {
                        send(clients.get(i), port, "query " + i + " round " + round);
                    }
                    for (int i = from; i < from + 50; i++) {
                        assertThat(receive(clients.get(i))).isEqualTo("reply:query " + i + " round " + round);
                    }
                }
            }
            // one session, so one proxy socket, per client: the target saw 1,000 distinct senders
            assertThat(target.senders).hasSize(1000);
            assertThat(h.metric("edgeway_stream_active{route=\"dns\"}")).isEqualTo(1000.0);
            for (DatagramSocket c : clients) { // and nobody got a reply meant for another
                c.setSoTimeout(1);
                try {
                    String extra = receive(c);
                    throw new AssertionError("unexpected datagram " + extra);
                } catch (SocketTimeoutException expected) {
                    // nothing more
                }
            }
        } finally {
            clients.forEach(DatagramSocket::close);
        }
    }

    @Test
    void theSessionTableStaysWithinItsBoundEvictingTheLeastRecentlyActive() throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("dns", target.port())).addStreamRoutes(udp("bounded", port, "dns")));
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            int n = MAX_SESSIONS + 300;
            for (int i = 0; i < n; i++) {
                clients.add(client());
            }
            for (int from = 0; from < n; from += 50) {
                for (int i = from; i < Math.min(n, from + 50); i++) {
                    send(clients.get(i), port, "q" + i);
                }
                for (int i = from; i < Math.min(n, from + 50); i++) {
                    assertThat(receive(clients.get(i))).isEqualTo("reply:q" + i);
                }
            }
            assertThat(h.metric("edgeway_stream_active{route=\"bounded\"}")).isEqualTo((double) MAX_SESSIONS);
            assertThat(h.metric("edgeway_stream_udp_sessions_evicted_total{route=\"bounded\"}")).isEqualTo(300.0);
            // an evicted client is not cut off: it gets a new session (evicting another)
            send(clients.get(0), port, "again");
            assertThat(receive(clients.get(0))).isEqualTo("reply:again");
            await().untilAsserted(() -> assertThat(h.metric("edgeway_stream_udp_sessions_evicted_total{route=\"bounded\"}"))
                    .isEqualTo(301.0));
        } finally {
            clients.forEach(DatagramSocket::close);
        }
    }
}
