package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderRewriterTest {
    private static HttpRequest spoofed(HttpVersion version) {
        HttpRequest req = new DefaultHttpRequest(version, HttpMethod.GET, "/");
        req.headers().add("Host", "a.test").add("X-Forwarded-For", "1.2.3.4").add("X-Forwarded-For", "5.6.7.8")
                .add("X-Forwarded-Proto", "https").add("X-Forwarded-Host", "evil.test")
                .add("Connection", "keep-alive, X-Secret, Host").add("X-Secret", "s").add("Keep-Alive", "5")
                .add("TE", "gzip").add("Upgrade", "h2c");
        return req;
    }

    /** The rewrite, with the forwarded fields put into the head as for an h2c target. */
    private static void rewrite(HttpRequest req, String peerIp, boolean trusted) {
        ForwardedFields fields = new ForwardedFields();
        HeaderRewriter.request(req, req.headers().get("Host"), peerIp, trusted, "http", fields);
        fields.addTo(req.headers());
    }

    @Test
    void anHttp11TargetGetsTheForwardedFieldsOnceAfterTheHeadersAndNotInTrailers() {
        HttpRequest req = spoofed(HttpVersion.HTTP_1_1);
        req.headers().set("Transfer-Encoding", "chunked");
        ForwardedFields fields = new ForwardedFields();
        HeaderRewriter.request(req, req.headers().get("Host"), "192.0.2.1", false, "http", fields);
        UpstreamRequestEncoder encoder = new UpstreamRequestEncoder();
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        encoder.next(fields);
        ch.writeOutbound(req);
        LastHttpContent end = new DefaultLastHttpContent();
        end.trailingHeaders().add("X-Checksum", "abc");
        ch.writeOutbound(end);
        StringBuilder wire = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) {
            wire.append(b.toString(StandardCharsets.US_ASCII));
        }
        assertThat(wire.toString()).isEqualTo("GET / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n"
                + "x-forwarded-for: 192.0.2.1\r\nx-forwarded-proto: http\r\nx-forwarded-host: a.test\r\n\r\n"
                + "0\r\nX-Checksum: abc\r\n\r\n");
    }

    @Test
    void anUntrustedPeerCannotSetForwardedHeaders() {
        HttpRequest req = spoofed(HttpVersion.HTTP_1_0);
        rewrite(req, "192.0.2.1", false);
        HttpHeaders h = req.headers();
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("192.0.2.1");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("a.test");
        assertThat(h.names()).doesNotContain("Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade");
        assertThat(h.get("Host")).isEqualTo("a.test"); // named in Connection, kept: routing used it
        assertThat(req.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void aTrustedPeerIsAppendedAndItsProtoAndHostKept() {
        HttpRequest req = spoofed(HttpVersion.HTTP_1_1);
        rewrite(req, "10.0.0.9", true);
        assertThat(req.headers().getAll("X-Forwarded-For")).containsExactly("1.2.3.4, 5.6.7.8, 10.0.0.9");
        assertThat(req.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(req.headers().get("X-Forwarded-Host")).isEqualTo("evil.test");

        HttpRequest bare = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        bare.headers().add("Host", "a.test");
        rewrite(bare, "10.0.0.9", true);
        assertThat(bare.headers().get("X-Forwarded-For")).isEqualTo("10.0.0.9");
        assertThat(bare.headers().get("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void requestTrailersCannotReopenTheHead() {
        HttpHeaders t = new DefaultHttpHeaders().add("X-Checksum", "abc").add("Host", "evil.test")
                .add("X-Forwarded-For", "1.2.3.4").add("Forwarded", "for=1.2.3.4").add("X-Real-IP", "1.2.3.4")
                .add("Content-Length", "5").add("Transfer-Encoding", "chunked").add("Connection", "close");
        HeaderRewriter.requestTrailers(t);
        assertThat(t.names()).containsExactly("X-Checksum");
    }

    @Test
    void aResponseDelimitedByCloseIsChunkedForHttp11AndClosesForHttp10() {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        assertThat(HeaderRewriter.response(res, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                true)).isTrue();
        assertThat(res.headers().get("Transfer-Encoding")).isEqualTo("chunked");

        HttpResponse old = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        old.headers().set("Transfer-Encoding", "chunked");
        assertThat(HeaderRewriter.response(old, new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/"),
                true)).isFalse();
        assertThat(old.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(old.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void theClientSeesTheProxysHttpVersionAndNotTheTargetsServer() {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
        res.headers().set("Server", "SimpleHTTP/0.6 Python/3.11.7").set("Content-Length", "5");
        assertThat(HeaderRewriter.response(res, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                true)).isTrue();
        assertThat(res.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(res.headers().contains("Server")).isFalse();
        assertThat(res.headers().get("Content-Length")).isEqualTo("5");
    }
}
