package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 cleartext from clients (prior knowledge and Upgrade: h2c), relayed to HTTP/1.1 targets. */
class Http2ProxyTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    /** A target that accepts connections (in its backlog) and never answers: streams to it stay open. */
    static ServerSocket silent;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("h1");
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        silent = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("h1").addTargets(OneRouteProxy.loopback(backend.port())))
                .addUpstreams(Upstream.newBuilder().setName("silent").addTargets(OneRouteProxy.loopback(silent.getLocalPort())))
                .addRoutes(Route.newBuilder().setName("hold").addHosts("hold.test").setUpstream("silent"))
                .addRoutes(Route.newBuilder().setName("h2").addHosts("h2.test").addHosts("127.0.0.1")
                        .setUpstream("h1"))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        OneRouteProxy.closeAll(backend, cp, silent);
    }

    @Test
    void priorKnowledgeStreamsAreProxiedToHttp1Targets() throws Exception {
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            H2PriorKnowledgeClient.Response r = c.send("GET", "h2.test", "/hello", null).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("200");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("h1");
            assertThat(backend.lastHeaders.get("x-forwarded-host")).isEqualTo("h2.test");
            assertThat(backend.lastHeaders.keySet()).noneMatch(k -> k.startsWith("x-http2"));

            byte[] body = new byte[300_000];
            new Random(3).nextBytes(body);
            var echo = c.send("POST", "h2.test", "/echo", body);
            var other = c.send("GET", "h2.test", "/again", null); // concurrently, on the same connection
            assertThat(echo.get(20, TimeUnit.SECONDS).body()).isEqualTo(body);
            assertThat(other.get(20, TimeUnit.SECONDS).status()).isEqualTo("200");
            assertThat(c.send("GET", "nobody.test", "/", null).get(20, TimeUnit.SECONDS).status()).isEqualTo("404");
        }
    }

    @Test
    void javaHttpClientUpgradesToH2c() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI uri = URI.create("http://127.0.0.1:" + dp.proxyPort() + "/hello");
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("h1");
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        byte[] body = "ping".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.proxyPort() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(echo.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(echo.body()).isEqualTo(body);
    }

    /**
     * h2 has no Transfer-Encoding, so a GET whose HEADERS lack END_STREAM could be followed by DATA: it goes to the
     * target as a bodyless head (never "chunked", which targets that ignore GET bodies would misread), an empty
     * end passes, and content ends the stream (as a body on GET is a 400 over HTTP/1.1).
     */
    @Test
    void aGetEndedByAnEmptyDataFrameIsProxiedBodylessAndOneWithContentIsReset() throws Exception {
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            H2PriorKnowledgeClient.Response r = c.send("GET", "h2.test", "/hello", null, true).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("200");
            assertThat(backend.lastHeaders).doesNotContainKey("transfer-encoding").doesNotContainKey("content-length");

            var withContent = c.send("GET", "h2.test", "/hello", "GET /smuggled HTTP/1.1\r\n\r\n".getBytes(), true);
            assertThat(withContent).failsWithin(Duration.ofSeconds(20));
            assertThat(c.send("GET", "h2.test", "/hello", null).get(20, TimeUnit.SECONDS).status()).isEqualTo("200");
        }
    }

    @Test
    void rapidResetGetsGoAwayEnhanceYourCalm() throws Exception {
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            // One over the limit (Http2Frontend.MAX_RST_PER_WINDOW = 200), and then silence: a client that
            // kept sending would make the proxy's close a TCP reset, which can destroy the GOAWAY in flight.
            // Streams to a target that never answers: each stays open until the client's RST_STREAM, which
            // then counts. A stream the proxy had already finished would make that RST a no-op, not counted.
            c.rapidReset("hold.test", 201);
            assertThat(c.goAwayError.get(20, TimeUnit.SECONDS)).isEqualTo(H2PriorKnowledgeClient.enhanceYourCalm());
            await().until(() -> !c.channel.isActive());
        }
    }
}
