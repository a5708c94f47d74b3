package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Upstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 features a proxy must carry through unchanged, byte for byte on raw sockets at both ends
 * ({@link RawClient}, {@link ScriptedBackend}): {@code Expect: 100-continue} (the target's 100 relayed
 * before the body is sent; its early 417 ends the request without one), HEAD, 1xx informational answers
 * before the final one, trailers both ways, chunked and fixed-length bodies both ways.
 */
class Http1ProtocolTest {
    static final String HOST = "Host: proto.test\r\n";
    @TempDir
    static Path dataDir;
    static ScriptedBackend backend;
    static OneRouteProxy proxy;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        backend = new ScriptedBackend();
        proxy = OneRouteProxy.start(dataDir, "proto.test",
                Upstream.newBuilder().setName("scripted").addTargets(OneRouteProxy.loopback(backend.port())));
        dp = proxy.dp;
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, backend);
    }

    @Test
    void expectContinueRelaysTheTargets100BeforeTheBodyIsSent() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("POST /continue HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            // The body has not been sent: only the target's 100 can arrive now.
            assertThat(c.readHead()).startsWith("HTTP/1.1 100 Continue\r\n");
            c.send("hello");
            RawClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");
            assertThat(backend.seen.get("/continue").head().headers().get("Expect")).isEqualTo("100-continue");

            c.send("GET /echo/after-continue HTTP/1.1\r\n" + HOST + "\r\n"); // the connection goes on
            assertThat(c.read(false).status()).isEqualTo(200);
        }
    }

    @Test
    void anEarlyFinalAnswerToExpectContinueEndsTheRequestWithoutItsBody() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("PUT /reject HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response r = c.read(false);
            assertThat(r.interim()).isEmpty();
            assertThat(r.status()).isEqualTo(417);
            // The client never sent the body, so the proxy cannot know where the next request would start:
            // it closes rather than read the unsent body as a request.
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.seen.get("/reject").complete()).isFalse();
    }

    @Test
    void headKeepsContentLengthAndForwardsNoBody() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("HEAD /head HTTP/1.1\r\n" + HOST + "\r\n");
            RawClient.Response r = c.read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-length", "1234").doesNotContainKey("transfer-encoding");
            // No body byte followed the head: the next answer on the connection starts right where it should.
            c.send("POST /echo/after-head HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\n\r\nabc");
            RawClient.Response next = c.read(false);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("abc");
        }
    }

    @Test
    void informationalAnswersArriveBeforeTheFinalOne() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET /early HTTP/1.1\r\n" + HOST + "\r\n");
            RawClient.Response r = c.read(false);
            assertThat(r.interim()).hasSize(1);
            assertThat(r.interim().get(0)).startsWith("HTTP/1.1 103 Early Hints\r\n")
                    .containsIgnoringCase("link: </style.css>; rel=preload");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ok");
        }
        try (H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(dp.proxyPort())) {
            // On h2 the 103 is a HEADERS frame that leaves the stream open for the answer that follows.
            H2PriorKnowledgeClient.Response r = c.send("GET", "proto.test", "/early", null).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("103");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
    }

    @Test
    void chunkedBodiesAndTrailersTravelBothWays() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("POST /echo/chunked HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
            RawClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.chunked()).isTrue();
            assertThat(r.text()).isEqualTo("hello world");
            ScriptedBackend.Seen seen = backend.seen.get("/echo/chunked");
            assertThat(new String(seen.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello world");
            // A trailer may not reopen the head: the forwarded headers are the proxy's alone.
            assertThat(seen.trailers()).containsEntry("x-checksum", "abc").doesNotContainKey("x-forwarded-for");
            assertThat(r.trailers()).containsEntry("x-got-x-checksum", "abc");

            c.send("GET /trailers HTTP/1.1\r\n" + HOST + "\r\n");
            RawClient.Response t = c.read(false);
            assertThat(t.chunked()).isTrue();
            assertThat(t.text()).isEqualTo("hello world");
            assertThat(t.trailers()).containsEntry("x-checksum", "abc");
        }
    }

    @Test
    void fixedLengthBodiesTravelBothWays() throws Exception {
        byte[] body = "0123456789".repeat(20_000).getBytes(StandardCharsets.ISO_8859_1);
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("POST /echo/fixed HTTP/1.1\r\n" + HOST + "Content-Length: " + body.length + "\r\n\r\n");
            c.send(body);
            RawClient.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.chunked()).isFalse();
            assertThat(r.headers()).containsEntry("content-length", String.valueOf(body.length));
            assertThat(r.body()).isEqualTo(body);
            assertThat(backend.seen.get("/echo/fixed").head().headers().get("Content-Length"))
                    .isEqualTo(String.valueOf(body.length));
        }
    }
}
