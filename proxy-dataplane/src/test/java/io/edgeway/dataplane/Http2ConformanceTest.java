package io.edgeway.dataplane;

import static io.netty.handler.codec.http2.Http2Error.FLOW_CONTROL_ERROR;
import static io.netty.handler.codec.http2.Http2Error.FRAME_SIZE_ERROR;
import static io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR;
import static io.netty.handler.codec.http2.Http2Error.STREAM_CLOSED;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.H2FrameClient.Frame;
import io.edgeway.proto.v1.Upstream;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 9113 at the frame level, one test per rule, each named after its section (the h2spec case it
 * mirrors is in the comment; h2spec numbers by RFC 7540). The client writes frames with Netty's
 * {@link io.netty.handler.codec.http2.DefaultHttp2FrameWriter} over a plain socket ({@link H2FrameClient});
 * the target records every byte it gets ({@link RecordingBackend}).
 */
class Http2ConformanceTest {
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

    static Http2Headers get(String path) {
        return H2FrameClient.request(HOST, path);
    }

    static void assertReset(Frame f, int streamId, Http2Error code) {
        assertThat(f.type()).as("RST_STREAM expected, got frame type %d", f.type()).isEqualTo(Http2FrameTypes.RST_STREAM);
        assertThat(f.streamId()).isEqualTo(streamId);
        assertThat(f.errorCode()).as("RST_STREAM error code").isEqualTo(code.code());
    }

    static void assertGoAway(Frame f, Http2Error code, H2FrameClient c) throws Exception {
        assertThat(f.type()).as("GOAWAY expected, got frame type %d", f.type()).isEqualTo(Http2FrameTypes.GO_AWAY);
        assertThat(f.errorCode()).as("GOAWAY error code").isEqualTo(code.code());
        assertThat(c.nextError()).as("the connection closes after the GOAWAY").isSameAs(H2FrameClient.CLOSED);
    }

    /** The stream was answered normally: a final HEADERS or DATA with END_STREAM, no reset. */
    static void assertAnswered(Frame f, int streamId) {
        assertThat(f.type() == Http2FrameTypes.HEADERS || f.type() == Http2FrameTypes.DATA)
                .as("an answer expected, got frame type %d: %s", f.type(), f).isTrue();
        assertThat(f.streamId()).isEqualTo(streamId);
    }

    // ---- 3.4 connection preface

    @Test // h2spec http2/3.5/2 sends a preface that is not HTTP/2 at all; this one claims HTTP/2 first
    void section3_4_brokenPrefaceAfterThePriLineIsConnectionProtocolError() throws Exception {
        try (H2FrameClient c = H2FrameClient.withPreface(proxy.port(), "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")) {
            assertGoAway(c.next(), PROTOCOL_ERROR, c);
        }
    }

    // ---- 5.1 stream states

    @Test // h2spec http2/5.1/5 and http2/6.1/2
    void section5_1_halfClosedRemoteDataIsStreamClosed() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/5.1-data/hold"), true).data(1, "test", true);
            assertReset(c.nextError(), 1, STREAM_CLOSED);
        }
    }

    @Test // h2spec http2/5.1/6
    void section5_1_halfClosedRemoteHeadersIsStreamClosed() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/5.1-headers/hold"), true).headers(1, get("/5.1-headers/hold"), true);
            assertReset(c.nextError(), 1, STREAM_CLOSED);
        }
    }

    @Test // h2spec http2/5.1/12
    void section5_1_headersOnStreamClosedNormallyIsConnectionErrorStreamClosed() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/5.1-closed"), true);
            assertAnswered(c.nextEndOf(1), 1);
            c.headers(1, get("/5.1-closed"), true);
            assertGoAway(c.nextError(), STREAM_CLOSED, c);
        }
    }

    @Test // the memory of closed streams is bounded: beyond it, the answer falls back to a stream error
    void section5_1_frameOnStreamOlderThanTheMemoryIsOnlyAStreamError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            int last = 1;
            for (int i = 0; i <= 64; i++) { // one more closed stream than the codec remembers
                last = 1 + 2 * i;
                c.headers(last, get("/5.1-memory"), true);
                assertAnswered(c.nextEndOf(last), last);
            }
            c.data(1, "late", true);
            assertReset(c.nextError(), 1, STREAM_CLOSED);
            c.headers(last + 2, get("/5.1-memory"), true);
            assertAnswered(c.nextEndOf(last + 2), last + 2); // the connection lives on
        }
    }

    @Test // RFC 9113 5.1 "closed": frames sent before the client saw the proxy's RST_STREAM are ignored
    void section5_1_framesAfterTheProxysResetAreIgnored() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/5.1-refused").set("host", "elsewhere.test"), false); // refused by the proxy itself
            assertReset(c.nextError(), 1, PROTOCOL_ERROR);
            c.data(1, "late body", false).headers(1, new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
                    .set("x-trailer", "late"), true);
            c.headers(3, get("/5.1-after-refusal"), true);
            assertAnswered(c.nextEndOf(3), 3); // no GOAWAY, no second RST for stream 1 on the way
        }
        assertThat(backend.connections.toString()).doesNotContain("/5.1-refused").contains("/5.1-after-refusal");
    }

    @Test // h2spec http2/5.1.1/2
    void section5_1_1_streamIdLowerThanOneUsedIsConnectionProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(5, get("/5.1.1-five/hold"), true).headers(3, get("/5.1.1-three"), true);
            assertGoAway(c.nextError(), PROTOCOL_ERROR, c);
        }
        assertThat(backend.connections.toString()).doesNotContain("/5.1.1-three");
    }

    // ---- 6 frame definitions

    @Test // h2spec http2/6.3/2
    void section6_3_priorityOfWrongLengthIsFrameSizeError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/6.3/hold"), false).raw(Http2FrameTypes.PRIORITY, 1, 0, new byte[] {0, 0, 0, 0});
            assertReset(c.nextError(), 1, FRAME_SIZE_ERROR);
        }
    }

    @Test // h2spec http2/6.9/2
    void section6_9_zeroWindowUpdateOnStreamIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/6.9/hold"), false).raw(Http2FrameTypes.WINDOW_UPDATE, 1, 0, new byte[] {0, 0, 0, 0});
            assertReset(c.nextError(), 1, PROTOCOL_ERROR);
        }
    }

    @Test // h2spec http2/6.9.1/3
    void section6_9_1_streamWindowAbove2to31IsFlowControlError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            byte[] max = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
            c.headers(1, get("/6.9.1/hold"), false)
                    .raw(Http2FrameTypes.WINDOW_UPDATE, 1, 0, max);
            assertReset(c.nextError(), 1, FLOW_CONTROL_ERROR);
        }
    }

    // ---- 8.1 HTTP message framing

    @Test // h2spec http2/8.1/1
    void section8_1_secondHeadersWithoutEndStreamIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/8.1/hold"), false).headers(1, get("/8.1/hold"), false);
            assertReset(c.nextError(), 1, PROTOCOL_ERROR);
        }
    }

    @Test // h2spec http2/8.1.2.1/3
    void section8_1_pseudoHeaderInTrailersIsProtocolError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            c.headers(1, get("/8.1-trailers/hold").method("POST"), false).data(1, "body", false)
                    .headers(1, new io.netty.handler.codec.http2.DefaultHttp2Headers(false).method("POST"), true);
            assertReset(c.nextError(), 1, PROTOCOL_ERROR);
        }
    }

    /**
     * RFC 9113 8.1: a server may answer completely before the request has ended, and then ask the client to
     * stop sending it with RST_STREAM(NO_ERROR). CANCEL there would make clients discard the answer they got.
     */
    @Test
    void section8_1_anAnswerCompleteBeforeTheRequestEndsIsFollowedByResetNoError() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.dp.proxyPort())) {
            Http2Headers post = H2FrameClient.request(HOST, "/early-answer");
            post.method("POST");
            c.headers(1, post, false).data(1, "the first part of a body that never ends", false);
            Frame end = c.nextEndOf(1);
            assertThat(end.type()).as("the answer ends first").isEqualTo(Http2FrameTypes.DATA);
            assertReset(c.nextError(), 1, Http2Error.NO_ERROR);
        }
    }
}
