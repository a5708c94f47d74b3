package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP/1.0 request may come without Host (openssl s_time's "GET /small HTTP/1.0", old clients, probes); the
 * proxy relays it as HTTP/1.1, which must carry one. Against a target that enforces that, as nginx does, it
 * used to come back 400 and cost a new target connection each time.
 */
class Http10WithoutHostTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static HostRequiringBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new HostRequiringBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("strict").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("any-host").addPaths("/").setUpstream("strict"))
                .build(), dp);
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    @Test
    void http10WithoutHostReachesTheTargetWithTheTargetsAuthority() throws Exception {
        int before = backend.hosts.size();
        RawHttp.Answer answer = RawHttp.send(dp.proxyPort(), "GET /a HTTP/1.0\r\n\r\n");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.closed()).isTrue(); // HTTP/1.0 without keep-alive: the client connection ends
        assertThat(backend.hosts.subList(before, backend.hosts.size())).containsExactly("127.0.0.1:" + backend.port());
    }

    @Test
    void http10WithoutHostKeepsTheTargetConnectionForTheNextClient() throws Exception {
        RawHttp.send(dp.proxyPort(), "GET /warm HTTP/1.0\r\n\r\n"); // one pooled target connection exists now
        int connections = backend.connections.get();
        java.util.List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(RawHttp.send(dp.proxyPort(), "GET /b HTTP/1.0\r\n\r\n").status());
        }
        assertThat(backend.connections.get()).as("target connections opened by 5 more requests").isEqualTo(connections);
        assertThat(statuses).containsOnly(200);
    }

    @Test
    void aHostTheClientSentIsForwardedUnchanged() throws Exception {
        int before = backend.hosts.size();
        assertThat(RawHttp.send(dp.proxyPort(), "GET /c HTTP/1.0\r\nHost: s.test\r\n\r\n").status()).isEqualTo(200);
        assertThat(RawHttp.send(dp.proxyPort(), "GET /d HTTP/1.1\r\nHost: t.test\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(200);
        assertThat(backend.hosts.subList(before, backend.hosts.size())).containsExactly("s.test", "t.test");
    }

    /**
     * Whether the target's authority goes in is decided per request from the Host the request itself had: a
     * keep-alive connection mixing requests with and without Host gets each one's own (pipelined, so one read).
     */
    @Test
    void eachRequestOfAKeepAliveConnectionKeepsItsOwnHost() throws Exception {
        int before = backend.hosts.size();
        String answers = pipelined("GET /e HTTP/1.0\r\nConnection: keep-alive\r\nHost: u.test\r\n\r\n"
                + "GET /f HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /g HTTP/1.0\r\nHost: v.test\r\n\r\n");
        assertThat(answers.split("HTTP/1.1 200 ", -1)).as(answers).hasSize(4);
        assertThat(backend.hosts.subList(before, backend.hosts.size()))
                .containsExactly("u.test", "127.0.0.1:" + backend.port(), "v.test");
    }

    /** Everything the proxy sends back until it closes (the last request is not keep-alive). */
    private static String pipelined(String requests) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dp.proxyPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
