package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and response desync through the Connection header (issue 12), against a target that
 * parses HTTP like a real server ({@link ScriptedBackend}, Netty's decoder): the oracle is the list of
 * requests the target parsed, which must be exactly the requests the proxy answered, in order.
 */
class SmugglingTest {
    private static final String H = "Host: smuggle.test\r\n";
    @TempDir
    static Path dataDir;
    static ScriptedBackend backend;
    static OneRouteProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new ScriptedBackend();
        proxy = OneRouteProxy.start(dataDir, "smuggle.test",
                Upstream.newBuilder().setName("scripted").addTargets(OneRouteProxy.loopback(backend.port())));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, backend);
    }

    @Test
    void connectionNamingContentLengthOnAKeptAliveConnectionReachesTheTargetNotAtAll() throws Exception {
        String hidden = "GET /admin-smuggled HTTP/1.1\r\n" + H + "\r\n";
        String smuggling = "POST /cl-smuggle HTTP/1.1\r\n" + H + "Connection: Content-Length\r\nContent-Length: "
                + hidden.length() + "\r\n\r\n" + hidden;
        try (RawClient client = new RawClient(proxy.dp.proxyPort())) {
            client.send(smuggling + "GET /after-cl-smuggle HTTP/1.1\r\n" + H + "\r\n");
            RawClient.Response refused = client.read(false);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.headers().get("connection")).isEqualTo("close");
            assertThat(client.closedByPeer()).isTrue();
        }
        // Nothing the proxy answered itself may have reached the target; wait out anything in flight.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> backend.arrived.stream()
                .noneMatch(r -> r.contains("smuggle")));
    }

    @Test
    void connectionNamingTransferEncodingIsRefusedToo() throws Exception {
        String hidden = "GET /admin-smuggled-te HTTP/1.1\r\n" + H + "\r\n";
        String smuggling = "POST /te-smuggle HTTP/1.1\r\n" + H + "Connection: Transfer-Encoding\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(hidden.length()) + "\r\n" + hidden
                + "\r\n0\r\n\r\n";
        try (RawClient client = new RawClient(proxy.dp.proxyPort())) {
            client.send(smuggling + "GET /after-te-smuggle HTTP/1.1\r\n" + H + "\r\n");
            assertThat(client.read(false).status()).isEqualTo(400);
            assertThat(client.closedByPeer()).isTrue();
        }
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> backend.arrived.stream()
                .noneMatch(r -> r.contains("te-smuggle") || r.contains("smuggled-te")));
    }

    /** The control: another field named in Connection is dropped, and both requests arrive framed, in order. */
    @Test
    void aHopByHopFieldIsDroppedAndTheTargetSeesExactlyTheAnsweredRequestsInOrder() throws Exception {
        try (RawClient client = new RawClient(proxy.dp.proxyPort())) {
            client.send("POST /hop/first HTTP/1.1\r\n" + H + "X-Hop: secret\r\nConnection: X-Hop\r\n"
                    + "Content-Length: 5\r\n\r\nhello" + "GET /hop/second HTTP/1.1\r\n" + H + "\r\n");
            RawClient.Response first = client.read(false);
            RawClient.Response second = client.read(false);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.text()).isEqualTo("hello");
            assertThat(second.status()).isEqualTo(200);
        }
        List<String> hop = backend.arrived.stream().filter(r -> r.contains("/hop/")).toList();
        assertThat(hop).containsExactly("POST /hop/first", "GET /hop/second");
        assertThat(backend.seen.get("/hop/first").head().headers().contains("X-Hop")).isFalse();
    }

    static Stream<String> badlyFramedResponses() {
        return ScriptedBackend.BAD_FRAMING.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("badlyFramedResponses")
    void aResponseFramedAmbiguouslyByTheTargetBecomes502(String path) throws Exception {
        try (RawClient client = new RawClient(proxy.dp.proxyPort())) {
            client.send("GET " + path + " HTTP/1.1\r\n" + H + "\r\n");
            RawClient.Response answer = client.read(false);
            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.text()).doesNotContain("hello");
            // The connection the target misframed is not reused: the next answer is the next request's own.
            client.send("GET /after-bad-framing HTTP/1.1\r\n" + H + "\r\n");
            RawClient.Response next = client.read(false);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEmpty();
        }
    }
}
