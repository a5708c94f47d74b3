package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Upstream;
import io.edgeway.proto.v1.UpstreamProtocol;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams with {@code protocol: H2C}: HTTP/1.1 and h2 clients alike are relayed as HTTP/2 streams to a
 * target that speaks nothing else ({@link H2cBackend}), multiplexed on the proxy's connection to it.
 */
class H2cUpstreamTest {
    /** The backend's stream limit, below the concurrency of one test: further streams must wait, not fail. */
    static final int BACKEND_MAX_STREAMS = 6;
    @TempDir
    static Path dataDir;
    static H2cBackend backend;
    static OneRouteProxy proxy;
    static DataPlane dp;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = new H2cBackend(BACKEND_MAX_STREAMS);
        proxy = OneRouteProxy.start(dataDir, "h2up.test", Upstream.newBuilder().setName("h2")
                .setProtocol(UpstreamProtocol.H2C).addTargets(OneRouteProxy.loopback(backend.port())));
        dp = proxy.dp;
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, backend);
    }

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", "h2up.test").timeout(Duration.ofSeconds(30));
    }

    @Test
    void http1ClientIsAnsweredOverAnH2Stream() throws Exception {
        int before = backend.streams.get();
        HttpResponse<String> r = client.send(request("/hello?x=1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("h2:GET /hello?x=1 authority=h2up.test");
        assertThat(r.headers().firstValue("server")).isEmpty(); // as on HTTP/1.1 targets
        assertThat(backend.streams.get()).isGreaterThan(before);
        assertThat(backend.lastHeaders.get("x-forwarded-for")).hasToString("127.0.0.1");
        assertThat(backend.lastHeaders.get("x-forwarded-host")).hasToString("h2up.test");
        assertThat(backend.lastHeaders.names()).noneMatch(n -> n.toString().startsWith("x-http2"));
    }

    /** The trace fields an HTTP/1.1 target gets written after the head go into the h2c stream's headers instead. */
    @Test
    void traceContextReachesAnH2cTarget() throws Exception {
        HttpResponse<String> r = client.send(request("/traced").header("X-Request-Id", "not valid!").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String traceparent = String.valueOf(backend.lastHeaders.get("traceparent"));
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        assertThat(backend.lastHeaders.getAll("x-request-id")).as("the invalid one replaced by the trace id")
                .singleElement().hasToString(traceparent.substring(3, 35));
    }

    @Test
    void h2ClientIsAnsweredOverAnH2Stream() throws Exception {
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            H2PriorKnowledgeClient.Response r = c.send("GET", "h2up.test", "/h2", null).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("200");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("h2:GET /h2 authority=h2up.test");

            byte[] body = new byte[1_000_000];
            new Random(5).nextBytes(body);
            H2PriorKnowledgeClient.Response echo = c.send("POST", "h2up.test", "/echo", body).get(30, TimeUnit.SECONDS);
            assertThat(echo.body()).isEqualTo(body);
        }
    }

    @Test
    void chunkedRequestBodyAndTrailersStreamUpAndResponseTrailersComeBack() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("POST /echo/chunked HTTP/1.1\r\nHost: h2up.test\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n"
                    + "5\r\nhello\r\n");
            // The head and first chunk reach the target before the request ends: nothing waits for the whole body.
            await().until(() -> backend.lastHeaders != null && "/echo/chunked".contentEquals(backend.lastHeaders.path()));
            c.send("6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");
            RawClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.chunked()).isTrue();
            assertThat(r.text()).isEqualTo("hello world");
            assertThat(r.trailers()).containsEntry("x-body-bytes", "11").containsEntry("x-got-x-checksum", "abc");

            // Fixed length up, on the same client connection.
            c.send("POST /echo HTTP/1.1\r\nHost: h2up.test\r\nContent-Length: 4\r\n\r\nabcd");
            RawClient.Response fixed = c.read(false);
            assertThat(fixed.text()).isEqualTo("abcd");
            assertThat(fixed.trailers()).containsEntry("x-body-bytes", "4");
        }
    }

    @Test
    void largeResponsesArriveWhole() throws Exception {
        long size = 32L * 1024 * 1024;
        HttpResponse<InputStream> r = client.send(request("/big?" + size).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(size);
        long got = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                got += n;
            }
        }
        assertThat(got).isEqualTo(size);
    }

    @Test
    void concurrentRequestsMultiplexOnOneConnectionBeyondTheTargetsStreamLimit() throws Exception {
        int n = BACKEND_MAX_STREAMS;
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            int connectionsBefore = backend.connections.get();
            // n streams that the target answers only once all n are open at once: one connection carries them.
            List<CompletableFuture<H2PriorKnowledgeClient.Response>> held = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                held.add(c.send("GET", "h2up.test", "/hold?" + n, null));
            }
            // And more than the target's limit of plain requests after them: they wait for a free stream.
            List<CompletableFuture<H2PriorKnowledgeClient.Response>> more = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                more.add(c.send("GET", "h2up.test", "/more/" + i, null));
            }
            for (var f : held) {
                assertThat(new String(f.get(30, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8)).isEqualTo("held");
            }
            for (int i = 0; i < more.size(); i++) {
                assertThat(new String(more.get(i).get(30, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8))
                        .isEqualTo("h2:GET /more/" + i + " authority=h2up.test");
            }
            // One client connection is served by one event loop, which holds at most one connection per target.
            assertThat(backend.connections.get() - connectionsBefore).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void headKeepsContentLengthWithoutBodyAndEarlyHintsArriveBeforeTheAnswer() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("HEAD /x HTTP/1.1\r\nHost: h2up.test\r\n\r\n");
            RawClient.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers()).containsEntry("content-length", "1234");

            c.send("GET /early HTTP/1.1\r\nHost: h2up.test\r\n\r\n"); // also proves HEAD left no stray body bytes
            RawClient.Response early = c.read(false);
            assertThat(early.interim()).hasSize(1);
            assertThat(early.interim().get(0)).startsWith("HTTP/1.1 103 ").contains("link: </style.css>; rel=preload");
            assertThat(early.status()).isEqualTo(200);
            assertThat(early.text()).isEqualTo("ok");
        }
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            // An h2 client gets the 103 as a HEADERS frame that does not end its stream, then the answer.
            H2PriorKnowledgeClient.Response r = c.send("GET", "h2up.test", "/early", null).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("103");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
    }
}
