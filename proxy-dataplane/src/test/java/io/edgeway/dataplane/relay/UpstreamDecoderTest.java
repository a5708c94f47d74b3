package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Which upstream responses are relayed as bytes and exactly which bytes the client gets; every response
 * is also fed one byte at a time, since the target's bytes may be split anywhere.
 */
class UpstreamDecoderTest {
    private static final String CHUNKED_BODY = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

    /** What the decoder emitted for one response: the client's bytes if passed, or Netty's objects. */
    private record Decoded(String bytes, List<Object> objects, boolean ended) {}

    private static Decoded decode(String response, HttpMethod method, boolean byteAtATime) {
        UpstreamDecoder decoder = new UpstreamDecoder(LoopResources.upstreamDecoderConfig());
        decoder.expect(method, true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] raw = response.getBytes(StandardCharsets.ISO_8859_1);
        if (byteAtATime) {
            for (byte b : raw) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        } else {
            ch.writeInbound(Unpooled.wrappedBuffer(raw));
        }
        StringBuilder bytes = new StringBuilder();
        List<Object> objects = new ArrayList<>();
        boolean ended = false;
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof PassHead head) {
                bytes.append(string(head.finish()));
                head.release();
            } else if (msg instanceof PassBody body) {
                bytes.append(string(body.content()));
                ended |= body.last();
                body.release();
            } else {
                ended |= msg instanceof LastHttpContent;
                objects.add(msg);
                ReferenceCountUtil.release(msg);
            }
        }
        ch.finishAndReleaseAll();
        return new Decoded(bytes.toString(), objects, ended);
    }

    private static String string(ByteBuf b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "byteAtATime={0}")
    @ValueSource(booleans = {false, true})
    void contentLengthResponseIsRelayedWithoutServerAndHopByHopHeaders(boolean byteAtATime) {
        Decoded d = decode("HTTP/1.1 200 OK\r\nServer: nginx/1.22\r\nContent-Type: text/plain\r\n"
                + "Keep-Alive: timeout=5\r\nConnection: keep-alive\r\nContent-Length: 5\r\nX-A:  spaced \r\n\r\nhello",
                HttpMethod.GET, byteAtATime);
        assertThat(d.objects()).isEmpty();
        assertThat(d.ended()).isTrue();
        assertThat(d.bytes()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                + "X-A:  spaced \r\n\r\nhello");
    }

    @ParameterizedTest(name = "byteAtATime={0}")
    @ValueSource(booleans = {false, true})
    void chunkedBodyAndTrailersPassUnchanged(boolean byteAtATime) {
        Decoded d = decode("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n"
                + CHUNKED_BODY, HttpMethod.POST, byteAtATime);
        assertThat(d.objects()).isEmpty();
        assertThat(d.ended()).isTrue();
        assertThat(d.bytes()).isEqualTo("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY);
    }

    @Test
    void responsesWithoutABodyEndAtTheirHead() {
        for (String response : List.of("HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")) {
            Decoded d = decode(response, HttpMethod.GET, false);
            assertThat(d.bytes()).as(response).isEqualTo(response);
            assertThat(d.ended()).as(response).isTrue();
        }
        Decoded head = decode("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", HttpMethod.HEAD, false);
        assertThat(head.bytes()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        assertThat(head.ended()).isTrue();
    }

    @Test
    void upstreamCloseIsReportedAndNotRelayed() {
        UpstreamDecoder decoder = new UpstreamDecoder(LoopResources.upstreamDecoderConfig());
        decoder.expect(HttpMethod.GET, true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                StandardCharsets.US_ASCII));
        PassHead head = ch.readInbound();
        assertThat(head.upstreamCloses()).isTrue();
        head.closeConnection(); // the client asked to close too
        assertThat(string(head.finish())).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nconnection: close\r\n\r\n");
        head.release();
        ch.finishAndReleaseAll();
    }

    /** Each of these goes through Netty's decoder instead: it validates, retries or re-frames them. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nclose-delimited",
        "HTTP/1.1 200 OK\r\nConnection: close, X-Secret\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Bare: a\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
    })
    void everythingElseGoesThroughNetty(String response) {
        Decoded d = decode(response, HttpMethod.GET, false);
        assertThat(d.bytes()).isEmpty();
        assertThat(d.objects()).first().isInstanceOf(HttpResponse.class);
    }

    @Test
    void afterAnInterimResponseTheFinalOneIsRelayedAsBytes() {
        Decoded d = decode("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", HttpMethod.GET, false);
        assertThat(d.objects()).hasSize(2); // the 103 head and its end
        assertThat(d.bytes()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }

    @Test
    void clientThatCannotTakeBytesGetsNettyObjects() {
        UpstreamDecoder decoder = new UpstreamDecoder(LoopResources.upstreamDecoderConfig());
        decoder.expect(HttpMethod.GET, false);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));
        Object first = ch.readInbound();
        assertThat(first).isInstanceOf(HttpResponse.class);
        ReferenceCountUtil.release(first);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz\r\n", "5\r\nhelloXX", "5\nhello\r\n", "10000000000000000\r\n", "0\r\nX: a\n"})
    void brokenChunkFramingFailsTheConnection(String body) {
        UpstreamDecoder decoder = new UpstreamDecoder(LoopResources.upstreamDecoderConfig());
        decoder.expect(HttpMethod.GET, true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                StandardCharsets.US_ASCII));
        ReferenceCountUtil.release(ch.readInbound());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1)))
                .isInstanceOf(DecoderException.class);
        ch.finishAndReleaseAll();
    }
}
