package io.edgeway.dataplane;

import static io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.H2FrameClient.Frame;
import io.edgeway.proto.v1.Upstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed requests (RFC 9113 8.1.1): each is a stream error PROTOCOL_ERROR and never reaches the target
 * as the client sent it. These are also the downgrade-smuggling cases: a request that passes is written to
 * an HTTP/1.1 target, where a stray CR/LF, a connection-specific field, a second Host or a body longer
 * than its content-length would change what the target reads. Each refused request carries a marker path
 * that the target's recorded bytes must not contain; a well-formed request on the same connection
 * afterwards shows the refusal ended only that stream.
 */
class Http2MalformedRequestTest {
    static final String HOST = "h2.test";
    @TempDir
    static Path dataDir;
    static RecordingBackend backend;
    static OneRouteProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new RecordingBackend();
        proxy = OneRouteProxy.start(dataDir, HOST,
                Upstream.newBuilder().setName("rec").addTargets(OneRouteProxy.loopback(backend.port())));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, backend);
    }

    static final java.util.concurrent.atomic.AtomicInteger goodRequests = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Sends {@code headers} (END_STREAM) on stream 1, expects RST_STREAM(PROTOCOL_ERROR), then a good
     * request on stream 3 that must be answered; {@code marker} (text the refused request would have put on
     * the target's wire) must not be among the bytes the target got.
     */
    static void assertRefused(Http2Headers headers, String marker) throws Exception {
        String good = "/ok-" + goodRequests.incrementAndGet();
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, headers, true);
            Frame f = c.nextError();
            assertThat(f.type()).as("RST_STREAM expected, got %s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.streamId()).isEqualTo(1);
            assertThat(f.errorCode()).as("error code").isEqualTo(PROTOCOL_ERROR.code());
            c.headers(3, H2FrameClient.request(HOST, good), true);
            Frame answer = c.nextEndOf(3);
            assertThat(answer.type()).as("the connection still serves: %s", answer).isIn(0, 1);
        }
        assertThat(backend.connections.toString()).contains(good + " ").doesNotContain(marker);
    }

    static Http2Headers get(String path) {
        return H2FrameClient.request(HOST, path);
    }

    // ---- 8.3.1 request pseudo-header fields (h2spec http2/8.1.2.3/2, /3, /4)

    @Test
    void section8_3_1_requestWithoutMethodIsProtocolError() throws Exception {
        Http2Headers h = get("/no-method");
        h.remove(":method");
        assertRefused(h, "/no-method");
    }

    @Test
    void section8_3_1_requestWithoutSchemeIsProtocolError() throws Exception {
        Http2Headers h = get("/no-scheme");
        h.remove(":scheme");
        assertRefused(h, "/no-scheme");
    }

    @Test
    void section8_3_1_requestWithoutPathIsProtocolError() throws Exception {
        Http2Headers h = new DefaultHttp2Headers(false).method("GET").scheme("http").authority(HOST);
        assertRefused(h.set("x-marker", "no-path"), "no-path");
    }

    @Test // smuggling: a space in :path would split the HTTP/1.1 request line
    void section8_3_1_pathWithSpaceIsProtocolError() throws Exception {
        assertRefused(get("/spaced /x HTTP/1.1"), "/spaced");
    }

    @Test // smuggling: the route would see one host and the target another
    void section8_3_1_hostDifferentFromAuthorityIsProtocolError() throws Exception {
        assertRefused(get("/other-host").set("host", "internal.test"), "/other-host");
    }

    @Test
    void section8_3_1_requestWithNeitherAuthorityNorHostIsProtocolError() throws Exception {
        Http2Headers h = get("/no-authority");
        h.remove(":authority");
        assertRefused(h, "/no-authority");
    }

    @Test // the route was chosen by the head's host: trailers may not name another
    void section8_3_1_hostInTrailersIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/host-trailer/hold").method("POST"), false).data(1, "body", false)
                    .headers(1, new DefaultHttp2Headers(false).set("host", "internal.test"), true);
            Frame f = c.nextError();
            assertThat(f.type()).as("%s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR.code());
        }
        assertThat(backend.connections.toString()).doesNotContain("internal.test");
    }

    @Test
    void section8_3_1_hostEqualToAuthorityIsAnsweredWithOneHost() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/same-host").set("host", "H2.test"), true);
            assertThat(c.nextEndOf(1).type()).isIn(0, 1);
        }
        String sent = backend.connections.stream().map(StringBuffer::toString)
                .filter(s -> s.contains("/same-host")).findFirst().orElseThrow();
        assertThat(sent.toLowerCase().split("\r\nhost:", -1)).as("exactly one Host line").hasSize(2);
    }

    // ---- 8.2.2 connection-specific fields (h2spec http2/8.1.2.2)

    @ParameterizedTest
    @ValueSource(strings = {"connection: keep-alive", "keep-alive: timeout=5", "proxy-connection: close",
        "transfer-encoding: chunked", "upgrade: websocket", "te: gzip"})
    void section8_2_2_connectionSpecificFieldIsProtocolError(String field) throws Exception {
        String[] nv = field.split(": ");
        assertRefused(get("/conn-specific-" + nv[0]).set(nv[0], nv[1]), "/conn-specific-" + nv[0]);
    }

    @Test // the stream ends, the connection and its other streams do not
    void section8_2_2_refusedHeadersWithBodyEndOnlyTheirStream() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/refused-with-body").method("POST").set("connection", "close"), false)
                    .data(1, "body the client sent before it saw the reset", true);
            Frame f = c.nextError();
            assertThat(f.type()).as("%s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR.code());
            c.headers(3, get("/after-refused-with-body"), true);
            Frame answer = c.nextEndOf(3);
            assertThat(answer.type()).as("stream 3 still served: %s", answer).isIn(0, 1);
        }
        assertThat(backend.connections.toString()).doesNotContain("/refused-with-body ");
    }

    @Test
    void section8_2_2_teTrailersIsAllowed() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/te-trailers").set("te", "trailers"), true);
            assertThat(c.nextEndOf(1).type()).isIn(0, 1);
        }
    }

    // ---- 8.2.1 field validity

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nx-injected: 1", "a\0b", " leading", "trailing ", "trailing\t"})
    void section8_2_1_valueWithCrLfNulOrEdgeWhitespaceIsProtocolError(String value) throws Exception {
        String marker = "/bad-value-" + Integer.toHexString(value.hashCode());
        assertRefused(get(marker).set("x-value", value), marker);
    }

    @ParameterizedTest // smuggling: a name HTTP/1.1 would read as a name, a colon and a value, or a new line
    @ValueSource(strings = {"x bad", "x:colon", "X-Upper", "x\r\ninjected", "x\0nul", ""})
    void section8_2_1_invalidFieldNameIsProtocolError(String name) throws Exception {
        String marker = "/bad-name-" + Integer.toHexString(name.hashCode());
        assertRefused(get(marker).add(name, "v"), marker);
    }

    @ParameterizedTest // smuggling: the request line and the routed host must be what they look like
    @ValueSource(strings = {":method=G ET", ":method=GET\r\n", ":authority=h2.test@evil.test",
        ":authority=h2.test evil.test", ":path=relative", ":path=http://h2.test/absolute"})
    void section8_3_1_invalidMethodPathOrAuthorityIsProtocolError(String field) throws Exception {
        String[] nv = field.split("=", 2);
        String marker = "/bad-pseudo-" + Integer.toHexString(field.hashCode());
        Http2Headers h = get(marker).set(nv[0], nv[1]);
        assertRefused(h, nv[0].equals(":path") ? nv[1] + " " : marker);
    }

    @Test
    void section8_2_1_trailerWithTrailingWhitespaceIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/bad-trailer/hold").method("POST"), false).data(1, "body", false)
                    .headers(1, new DefaultHttp2Headers(false).set("x-checksum", "abc "), true);
            Frame f = c.nextError();
            assertThat(f.type()).as("%s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR.code());
        }
    }

    // ---- 8.1.1 content-length against DATA (h2spec http2/8.1.2.6/1, /2)

    /**
     * If the request reached the target at all, the proxy closed that connection after at most
     * {@code maxBody} body bytes: the target never reads past the stream's error, nor gets a next request
     * on the same connection that could be mistaken for part of this one.
     */
    static void assertTargetGotAtMostThenClose(String marker, int maxBody) {
        StringBuffer conn = backend.connections.stream().filter(s -> s.indexOf(marker) >= 0).findFirst().orElse(null);
        if (conn == null) {
            return; // refused before the target was even asked
        }
        await().until(() -> backend.closedByProxy.contains(conn));
        String all = conn.toString();
        String request = all.substring(all.indexOf(marker)); // a pooled connection may have served others before
        String body = request.substring(request.indexOf("\r\n\r\n") + 4);
        assertThat(body.length()).as("body bytes the target got in %s", all).isLessThanOrEqualTo(maxBody);
    }

    /** Waits until the target has the head of the request with {@code marker} and {@code bodyText} after it. */
    static void awaitAtTarget(String marker, String bodyText) {
        await().until(() -> backend.connections.stream().map(StringBuffer::toString)
                .anyMatch(c -> c.contains(marker) && c.substring(c.indexOf(marker)).contains(bodyText)));
    }

    @Test
    void section8_1_1_contentLengthAboveDataIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/cl-short/hold").method("POST").set("content-length", "10"), false)
                    .data(1, "hello", false);
            awaitAtTarget("/cl-short", "hello"); // the body streams on; only its end shows it was short
            c.data(1, "", true);
            Frame f = c.nextError();
            assertThat(f.type()).as("%s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR.code());
        }
        // 5 of the 10 bytes, then a close: the target can never take it for a complete request
        assertTargetGotAtMostThenClose("/cl-short", "hello".length());
    }

    @Test
    void section8_1_1_dataBeyondContentLengthIsProtocolErrorAndNeverForwarded() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/cl-long/hold").method("POST").set("content-length", "3"), false)
                    .data(1, "abc", false);
            awaitAtTarget("/cl-long", "abc");
            c.data(1, "SMUGGLED", true);
            Frame f = c.nextError();
            assertThat(f.type()).as("%s", f).isEqualTo(Http2FrameTypes.RST_STREAM);
            assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR.code());
        }
        assertTargetGotAtMostThenClose("/cl-long", 3);
        assertThat(backend.connections.toString()).doesNotContain("SMUGGLED");
    }

    // ---- the gRPC path (GrpcRelay, HTTP/2 to the target) gets the same checks

    @ParameterizedTest
    @ValueSource(strings = {"no-scheme", "host", "transfer-encoding", "trailing-space", "cr"})
    void section8_1_1_grpcRequestsGetTheSameChecks(String what) throws Exception {
        String marker = "/grpc.Svc/" + what;
        Http2Headers h = get(marker).method("POST").set("content-type", "application/grpc").set("te", "trailers");
        UnaryOperator<Http2Headers> breakIt = switch (what) {
            case "no-scheme" -> x -> { x.remove(":scheme"); return x; };
            case "host" -> x -> x.set("host", "internal.test");
            case "transfer-encoding" -> x -> x.set("transfer-encoding", "chunked");
            case "trailing-space" -> x -> x.set("grpc-timeout", "1S ");
            default -> x -> x.set("x-md", "a\rb");
        };
        assertRefused(breakIt.apply(h), marker);
    }
}
