package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests the proxy must refuse, as raw bytes against a real DataPlane whose only target counts every
 * byte it receives. Each case: the documented status, {@code Connection: close}, the connection closed,
 * and zero bytes at the target. A new case is one line in {@link #refused()}.
 */
class StrictHttpTest {
    private static final String H = "Host: s.test\r\n";
    /** A request hidden in another's body: what reaches the target if the outer body loses its framing. */
    private static final String SMUGGLED = "GET /admin-smuggled HTTP/1.1\r\n" + H + "\r\n";

    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static CountingBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new CountingBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("counting").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("s").addHosts("s.test").setUpstream("counting"))
                .build(), dp);
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    static Arguments c(int status, String what, String raw) {
        return Arguments.of(status, what, raw);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
            c(400, "CL and TE", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            c(400, "TE and CL", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
            c(400, "duplicate CL", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "differing CL", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
            c(400, "CL list", "POST / HTTP/1.1\r\n" + H + "Content-Length: 1,2\r\n\r\nab"),
            c(400, "CL -1", "POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n"),
            c(400, "CL +5", "POST / HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello"),
            c(400, "CL ' 5x'", "POST / HTTP/1.1\r\n" + H + "Content-Length:  5x\r\n\r\nhello"),
            c(400, "CL 0x5", "POST / HTTP/1.1\r\n" + H + "Content-Length: 0x5\r\n\r\nhello"),
            c(400, "TE gzip", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\nhello"),
            c(400, "TE chunked, gzip", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
            c(400, "TE gzip, chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            c(400, "TE xchunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
            c(400, "TE chunked twice", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            c(400, "TE identity", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: identity\r\n\r\nhello"),
            c(400, "TE on HTTP/1.0", "POST / HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            c(400, "obs-fold SP", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n b\r\n\r\n"),
            c(400, "obs-fold HTAB", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n\tb\r\n\r\n"),
            c(400, "obs-fold of Host", "GET / HTTP/1.1\r\nHost: s.test\r\n .evil\r\n\r\n"),
            c(400, "bare LF everywhere", "GET / HTTP/1.1\n" + "Host: s.test\n\n"),
            c(400, "bare LF after a header", "GET / HTTP/1.1\r\nHost: s.test\nX-A: b\r\n\r\n"),
            c(400, "NUL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u0000b\r\n\r\n"),
            c(400, "CR alone in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n"),
            c(400, "DEL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u007fb\r\n\r\n"),
            c(400, "0x01 in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u0001b\r\n\r\n"),
            c(400, "NUL in a name", "GET / HTTP/1.1\r\n" + H + "X\u0000A: b\r\n\r\n"),
            c(400, "CR in a name", "GET / HTTP/1.1\r\n" + H + "X\rA: b\r\n\r\n"),
            c(400, "DEL in a name", "GET / HTTP/1.1\r\n" + H + "X\u007fA: b\r\n\r\n"),
            c(400, "0x01 in a name", "GET / HTTP/1.1\r\n" + H + "X\u0001A: b\r\n\r\n"),
            c(400, "space before colon", "GET / HTTP/1.1\r\n" + H + "X-A : b\r\n\r\n"),
            c(400, "tab before colon", "GET / HTTP/1.1\r\n" + H + "X-A\t: b\r\n\r\n"),
            c(400, "space before colon of CL", "POST / HTTP/1.1\r\n" + H + "Content-Length : 5\r\n\r\nhello"),
            c(400, "header without colon", "GET / HTTP/1.1\r\n" + H + "X-A b\r\n\r\n"),
            c(400, "missing Host on 1.1", "GET / HTTP/1.1\r\n\r\n"),
            c(400, "duplicate Host", "GET / HTTP/1.1\r\n" + H + "Host: other.test\r\n\r\n"),
            c(400, "Host with userinfo", "GET / HTTP/1.1\r\nHost: u@s.test\r\n\r\n"),
            c(400, "empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n"),
            c(400, "invalid chunk size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            c(400, "oversized chunk size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
            c(400, "chunk ext with bare LF", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;x\nabc\r\n0\r\n\r\n"),
            c(400, "chunk ext, unclosed quote", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;x=\"abc\r\nabc\r\n0\r\n\r\n"),
            c(400, "chunk size, leading space", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n"),
            c(400, "chunk size 0x3", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n"),
            c(400, "chunk size -3", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n"),
            c(400, "chunk longer than its size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"),
            c(400, "bare LF after chunk data", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n"),
            c(400, "bare LF after chunk size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n"),
            c(400, "empty Transfer-Encoding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: \r\n\r\n"),
            c(400, "empty Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: \r\n\r\n"),
            c(400, "VT before a name", "GET / HTTP/1.1\r\n" + H + "\u000bX-A: b\r\n\r\n"),
            c(400, "Host with a space", "GET / HTTP/1.1\r\nHost: s.test x\r\n\r\n"),
            c(400, "Host with a slash", "GET / HTTP/1.1\r\nHost: s.test/x\r\n\r\n"),
            c(400, "absolute-form, other host", "GET http://other.test/ HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "absolute-form, userinfo", "GET http://u@s.test/ HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "absolute-form, other scheme", "GET ftp://s.test/ HTTP/1.1\r\n" + H + "\r\n"),
            // Connection naming what frames or routes the request (issue 12): dropping it as hop-by-hop would
            // forward the body unframed, and the target would read the smuggled GET as a request of its own.
            c(400, "Connection: Content-Length", "POST /x HTTP/1.1\r\n" + H + "Connection: Content-Length\r\nContent-Length: "
                    + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED),
            c(400, "Connection: content-length, GET", "GET / HTTP/1.1\r\n" + H + "Connection: content-length\r\n\r\n"),
            c(400, "Connection: CONTENT-LENGTH", "POST /x HTTP/1.1\r\n" + H + "Connection: CONTENT-LENGTH\r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "Connection: Transfer-Encoding", "POST /x HTTP/1.1\r\n" + H + "Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n"),
            c(400, "Connection: Host", "GET / HTTP/1.1\r\n" + H + "Connection: Host\r\n\r\n"),
            c(400, "Connection: close, Content-Length", "POST /x HTTP/1.1\r\n" + H + "Connection: close, Content-Length\r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "Connection: keep-alive ,  content-length ", "POST /x HTTP/1.1\r\n" + H + "Connection: keep-alive ,  content-length \r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "Connection list, empty elements", "POST /x HTTP/1.1\r\n" + H + "Connection: ,,Content-Length,\r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "second Connection header names CL", "POST /x HTTP/1.1\r\n" + H + "Connection: keep-alive\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"),
            c(400, "Connection token not a token", "GET / HTTP/1.1\r\n" + H + "Connection: keep-alive;q=1\r\n\r\n"),
            c(400, "Connection token with a slash", "GET / HTTP/1.1\r\n" + H + "Connection: x/y\r\n\r\n"),
            c(400, "Connection on HTTP/1.0 names CL", "POST /x HTTP/1.0\r\n" + H + "Connection: keep-alive, Content-Length\r\nContent-Length: 5\r\n\r\nhello"),
            // Header names that some targets (CGI-style environments) read as the framing fields.
            c(400, "Content_Length beside no CL", "POST /x HTTP/1.1\r\n" + H + "Content_Length: 5\r\n\r\nhello"),
            c(400, "Transfer_Encoding beside CL", "POST /x HTTP/1.1\r\n" + H + "Transfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
            c(400, "Transfer---Encoding", "POST /x HTTP/1.1\r\n" + H + "Transfer---Encoding: chunked\r\n\r\n0\r\n\r\n"),
            c(400, "Content-Length_", "POST /x HTTP/1.1\r\n" + H + "Content-Length_: 5\r\n\r\nhello"),
            // A body on GET or HEAD: many servers ignore it and read it as the next request (CL.0 desync).
            c(400, "GET with a Content-Length body", "GET / HTTP/1.1\r\n" + H + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED),
            c(400, "GET with a chunked body", "GET / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            c(400, "HEAD with a body", "HEAD / HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc"),
            // The request line: single spaces only (RFC 9112 3 lets a server be lenient; a proxy must not be).
            c(400, "request line, tab after method", "GET\t/ HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, tab before version", "GET /\tHTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, two spaces after method", "GET  / HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, two spaces before version", "GET /  HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, leading space", " GET / HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, trailing space", "GET / HTTP/1.1 \r\n" + H + "\r\n"),
            c(400, "request line, VT separator", "GET\u000b/ HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, FF separator", "GET /\u000cHTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, CR separator", "GET /\rHTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, no version", "GET /\r\n" + H + "\r\n"),
            c(400, "request line garbage", "GARBAGE\r\n\r\n"),
            c(400, "request line, extra word", "GET / HTTP/1.1 x\r\n" + H + "\r\n"),
            c(400, "request line, bad method", "G@T / HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, control char", "GET /\u0001 HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "request line, fragment", "GET /a#b HTTP/1.1\r\n" + H + "\r\n"),
            c(505, "HTTP/9.9", "GET / HTTP/9.9\r\n" + H + "\r\n"),
            c(400, "CONNECT", "CONNECT s.test:443 HTTP/1.1\r\nHost: s.test:443\r\n\r\n"),
            c(400, "path above root", "GET /../x HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "encoded dot-dot above root", "GET /a/%2e%2E/../x HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "encoded slash", "GET /a%2Fb HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "encoded backslash", "GET /a%5cb HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "encoded NUL", "GET /a%00b HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "raw backslash", "GET /a\\b HTTP/1.1\r\n" + H + "\r\n"),
            c(400, "broken percent-encoding", "GET /a%zz HTTP/1.1\r\n" + H + "\r\n"),
            c(431, "header block over the limit", "GET / HTTP/1.1\r\n" + H + "X-A: " + "a".repeat(40_000) + "\r\n\r\n"),
            c(414, "request line over the limit", "GET /" + "a".repeat(9_000) + " HTTP/1.1\r\n" + H + "\r\n"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refused")
    void refusedAndNeverForwarded(int status, String what, String raw) throws Exception {
        long before = backend.bytes.get();
        RawHttp.Answer answer = RawHttp.send(dp.proxyPort(), raw);
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.head().toLowerCase()).contains("connection: close");
        assertThat(answer.closed()).isTrue();
        // Bytes written toward the target before the refusal could still be on their way: give them time to
        // arrive (on loopback they take microseconds) before concluding that none were sent.
        await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2))
                .until(() -> backend.bytes.get() == before);
    }

    /** Guards against over-rejection: odd but valid requests are forwarded. */
    static Stream<Arguments> accepted() {
        String close = "Connection: close\r\n\r\n";
        return Stream.of(
            c(200, "Host with a port", "GET / HTTP/1.1\r\nHost: s.test:8000\r\n" + close),
            c(200, "Host upper case, trailing dot", "GET / HTTP/1.1\r\nHost: S.TEST.\r\n" + close),
            c(200, "obs-text in a value", "GET / HTTP/1.1\r\n" + H + "X-A: caf\u00e9\r\n" + close),
            c(200, "whitespace around a value", "GET / HTTP/1.1\r\n" + H + "X-A: \t b \t\r\n" + close),
            c(200, "empty value", "GET / HTTP/1.1\r\n" + H + "X-A:\r\n" + close),
            c(200, "CRLF before the request line", "\r\nGET / HTTP/1.1\r\n" + H + close),
            c(200, "matrix parameter", "GET /a;b=c HTTP/1.1\r\n" + H + close),
            c(200, "encoded query separators", "GET /a?x=%2F%5C%00&y=/../ HTTP/1.1\r\n" + H + close),
            c(200, "Content-Length: 0", "POST / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n" + close),
            c(200, "Connection naming another field", "GET / HTTP/1.1\r\n" + H + "X-Hop: 1\r\nConnection: X-Hop, close\r\n\r\n"),
            c(200, "empty Connection element", "GET / HTTP/1.1\r\n" + H + "Connection: , close\r\n\r\n"),
            c(200, "GET with Content-Length: 0", "GET / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n" + close),
            c(200, "long names that only look alike", "GET / HTTP/1.1\r\n" + H + "Content-Location: /a\r\nAccept-Encoding: gzip\r\n" + close),
            c(200, "underscore in another name", "GET / HTTP/1.1\r\n" + H + "X_Custom: a\r\n" + close),
            c(200, "HTTP/1.0 with Host", "GET / HTTP/1.0\r\n" + H + "\r\n"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("accepted")
    void acceptedAndForwarded(int status, String what, String raw) throws Exception {
        long before = backend.bytes.get();
        RawHttp.Answer answer = RawHttp.send(dp.proxyPort(), raw);
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.closed()).isTrue();
        assertThat(backend.bytes.get()).isGreaterThan(before);
    }

    /** The harness itself: a valid request does reach the target, with its path normalised once. */
    @Test
    void validRequestsAreForwardedWithTheNormalisedPath() throws Exception {
        long before = backend.bytes.get();
        RawHttp.Answer ok = RawHttp.send(dp.proxyPort(),
                "GET /a/./b/../%7ec%2a//d/. HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(backend.bytes.get()).isGreaterThan(before);
        assertThat(backend.requestLines).contains("GET /a/~c%2A//d/ HTTP/1.1");

        RawHttp.Answer absolute = RawHttp.send(dp.proxyPort(),
                "GET http://S.test/x/%2e/y?q=/../%2F HTTP/1.1\r\nHost: s.test\r\nConnection: close\r\n\r\n");
        assertThat(absolute.status()).isEqualTo(200);
        assertThat(backend.requestLines).contains("GET /x/y?q=/../%2F HTTP/1.1");
    }
}
