package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DataPlane with short client timeouts (200 ms), small head limits and 127.0.0.1 as a trusted proxy.
 * Assertions are on outcomes (status, closed connection), never on durations.
 */
class ClientLimitsIntegrationTest {
    private static final String H = "Host: t.test\r\n";

    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        ClientLimits limits = new ClientLimits(1024, 2048, 200, 200, 200, TrustedProxies.parse("127.0.0.1/32"));
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir).withClient(limits));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("t").addHosts("t.test").setUpstream("t"))
                .build(), dp);
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    @Test
    void aClientThatStallsInsideTheHeadGets408AndIsClosed() throws Exception {
        RawHttp.Answer answer = RawHttp.send(dp.proxyPort(), "GET / HTTP/1.1\r\nHost: t.test\r\nX-Slow: ");
        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.head().toLowerCase()).contains("connection: close");
        assertThat(answer.closed()).isTrue();
    }

    @Test
    void aStalledRequestBodyGets408AndIsClosed() throws Exception {
        RawHttp.Answer answer = RawHttp.send(dp.proxyPort(),
                "POST / HTTP/1.1\r\n" + H + "Content-Length: 10\r\n\r\nhalf");
        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.closed()).isTrue();
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", dp.proxyPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\n" + H + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("connection: close");
            in.readNBytes(1); // the body: "t"
            assertThat(in.read()).isEqualTo(-1); // then nothing, and the proxy closes
        }
        try (Socket s = new Socket("127.0.0.1", dp.proxyPort())) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1); // a connection that never sends a byte
        }
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheWriteTimeout() throws Exception {
        int aborted = backend.bigAborted.get();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connect, so the window stays small
            s.connect(new java.net.InetSocketAddress("127.0.0.1", dp.proxyPort()));
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /big HTTP/1.1\r\n" + H + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            // The cut drops the upstream connection too, which the target sees as a failed write.
            await().atMost(Duration.ofSeconds(20)).until(() -> backend.bigAborted.get() > aborted);
            long received = 0;
            try {
                received = s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException reset) {
                // a RST after the cut is as good as a FIN
            }
            assertThat(received).isLessThan(4096L * 64 * 1024);
        }
    }

    @Test
    void aTrustedPeerKeepsItsForwardedHeadersAndIsAppended() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.proxyPort() + "/fwd"))
                .header("Host", "t.test").header("X-Forwarded-For", "203.0.113.7")
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "www.example.com")
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(backend.lastHeaders.get("x-forwarded-proto")).isEqualTo("https");
        assertThat(backend.lastHeaders.get("x-forwarded-host")).isEqualTo("www.example.com");
    }

    @Test
    void headLimitsComeFromTheSettings() throws Exception {
        String path = "/" + "a".repeat(900);
        RawHttp.Answer ok = RawHttp.send(dp.proxyPort(),
                "GET " + path + " HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        RawHttp.Answer longLine = RawHttp.send(dp.proxyPort(),
                "GET /" + "a".repeat(1100) + " HTTP/1.1\r\n" + H + "\r\n");
        assertThat(longLine.status()).isEqualTo(414);
        assertThat(longLine.closed()).isTrue();
        RawHttp.Answer bigHead = RawHttp.send(dp.proxyPort(),
                "GET / HTTP/1.1\r\n" + H + "X-A: " + "b".repeat(2100) + "\r\n\r\n");
        assertThat(bigHead.status()).isEqualTo(431);
        assertThat(bigHead.closed()).isTrue();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
                break;
            }
        }
        return sb.toString();
    }
}
