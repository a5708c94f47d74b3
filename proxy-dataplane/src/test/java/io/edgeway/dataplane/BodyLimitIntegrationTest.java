package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A route's max_body_bytes (10 here): 413 for a declared body, a cut for a chunked one, never a whole-looking body. */
class BodyLimitIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static RecordingBackend target;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        target = new RecordingBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(target.port())))
                .addRoutes(Route.newBuilder().setName("small").addHosts("small.test").setUpstream("t").setMaxBodyBytes(10))
                .build(), dp);
    }

    @BeforeEach
    void forget() {
        target.connections.clear();
        target.closedByProxy.clear();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, target, cp);
    }

    @Test
    void aDeclaredBodyOverTheLimitGets413AndNothingReachesTheTarget() throws Exception {
        RawHttp.Answer a = RawHttp.send(dp.proxyPort(),
                "POST /up HTTP/1.1\r\nHost: small.test\r\nContent-Length: 11\r\n\r\n01234567890");
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.closed()).isTrue();
        assertThat(target.bytes()).isZero();
    }

    @Test
    void aDeclaredBodyAtTheLimitIsForwarded() throws Exception {
        RawHttp.Answer a = RawHttp.send(dp.proxyPort(),
                "POST /up HTTP/1.1\r\nHost: small.test\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789");
        assertThat(a.status()).isEqualTo(200);
        // the target answers on the head, so the body's bytes may still be on their way to it
        await().untilAsserted(() -> assertThat(target.connections.get(0).toString()).endsWith("\r\n\r\n0123456789"));
    }

    @Test
    void aChunkedBodyThatOutgrowsTheLimitGets413AndTheTargetNeverSeesItsEnd() throws Exception {
        // /hold: the target never answers, so no response has started when the body goes over the limit
        String head = "POST /hold HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n\r\n";
        String answer = exchange(head, "6\r\nabcdef\r\n", "6\r\nghijkl\r\n", "0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413");
        await().until(() -> !target.closedByProxy.isEmpty()); // the proxy closed the target's connection
        String seen = bodyOf(target.closedByProxy.get(0).toString());
        assertThat(seen).contains("abcdef").doesNotContain("ghijkl").doesNotContain("0\r\n\r\n");
    }

    @Test
    void aChunkedBodyOverTheLimitAfterTheAnswerBeganCutsBothConnections() throws Exception {
        // A target that starts a chunked answer as soon as it has the head, and records the request until EOF.
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            StringBuffer seen = new StringBuffer();
            java.util.concurrent.CountDownLatch eof = new java.util.concurrent.CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    int b;
                    boolean answered = false;
                    while ((b = in.read()) >= 0) {
                        seen.append((char) b);
                        if (!answered && seen.indexOf("\r\n\r\n") >= 0) {
                            s.getOutputStream().write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n"
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            s.getOutputStream().flush();
                            answered = true;
                        }
                    }
                } catch (java.io.IOException e) {
                    // a reset is an end too
                }
                eof.countDown();
            });
            t.setDaemon(true);
            t.start();
            cp.pushAndAwait(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                    .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(target.port())))
                    .addUpstreams(Upstream.newBuilder().setName("streaming").addTargets(OneRouteProxy.loopback(server.getLocalPort())))
                    .addRoutes(Route.newBuilder().setName("small").addHosts("small.test").setUpstream("t").setMaxBodyBytes(10))
                    .addRoutes(Route.newBuilder().setName("streaming").addHosts("streaming.test").setUpstream("streaming")
                            .setMaxBodyBytes(10))
                    .build(), dp);
            String head = "POST /up HTTP/1.1\r\nHost: streaming.test\r\nTransfer-Encoding: chunked\r\n\r\n";
            String answer = exchange(head, "6\r\nabcdef\r\n", "6\r\nghijkl\r\n", "0\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("413").doesNotEndWith("0\r\n\r\n");
            assertThat(eof.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the proxy closed the target's connection").isTrue();
            assertThat(bodyOf(seen.toString())).contains("abcdef").doesNotContain("ghijkl").doesNotContain("0\r\n\r\n");
        }
    }

    /** What follows the head: the head's last field (a random request id) may itself end in "0", then CRLF CRLF. */
    private static String bodyOf(String request) {
        return request.substring(request.indexOf("\r\n\r\n") + 4);
    }

    /** Sends the head, then each piece with a pause for the proxy to act on it; returns all it answered until it closed. */
    private static String exchange(String head, String... pieces) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dp.proxyPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            for (String p : pieces) {
                await().pollDelay(java.time.Duration.ofMillis(100)).until(() -> true); // let the proxy read each piece alone
                try {
                    s.getOutputStream().write(p.getBytes(StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException closed) {
                    break; // the proxy cut the connection: what it answered is still readable
                }
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (java.net.SocketException reset) {
                // a reset after the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
