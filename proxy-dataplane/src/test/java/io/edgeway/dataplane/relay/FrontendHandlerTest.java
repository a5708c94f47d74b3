package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.ClientCodec;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.proto.v1.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client-side pipeline on an EmbeddedChannel: refusals and local answers need no upstream. */
class FrontendHandlerTest {
    private final Metrics metrics = new Metrics(() -> 0);
    private EmbeddedChannel channel;
    private LoopResources loop;

    private EmbeddedChannel channel() {
        channel = new EmbeddedChannel();
        loop = new LoopResources(channel.eventLoop(), NioSocketChannel.class, 1_000, metrics);
        channel.pipeline()
                .addLast("codec", new ClientCodec(ClientLimits.DEFAULTS))
                .addLast("frontend", new FrontendHandler(noRoutes(), loop, metrics, TrustedProxies.NONE));
        channel.pipeline().fireChannelActive();
        return channel;
    }

    /** An applied config without routes: every request is a 404 (before any config it would be a 503). */
    private static ConfigHolder noRoutes() {
        ConfigHolder holder = new ConfigHolder();
        try {
            holder.set(RuntimeConfig.from(Snapshot.getDefaultInstance()));
        } catch (InvalidConfigException e) {
            throw new AssertionError(e);
        }
        return holder;
    }

    @AfterEach
    void close() {
        loop.close();
        channel.finishAndReleaseAll();
    }

    private static String output(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
    })
    void badRequestsGet400AndClose(String request) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        String out = output(ch);
        assertThat(out).startsWith("HTTP/1.1 400 ").containsIgnoringCase("connection: close");
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.responses(4)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    })
    void noRouteIs404AndTheConnectionStaysOpen(String request) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer(request + request, StandardCharsets.ISO_8859_1));
        String out = output(ch);
        assertThat(out.split("HTTP/1.1 404 ", -1)).hasSize(3); // both pipelined requests answered
        assertThat(out).contains("application/problem+json").doesNotContainIgnoringCase("connection: close");
        assertThat(ch.isOpen()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.0\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"})
    void clientWithoutKeepAliveIsClosedAfterTheAnswer(String request) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        assertThat(output(ch)).contains(" 404 ");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHeadSplitAcrossReadsThatNeverEndsGets408() {
        EmbeddedChannel ch = channel();
        ch.freezeTime();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n", StandardCharsets.ISO_8859_1));
        assertThat(output(ch)).isEmpty();
        ch.advanceTimeBy(ClientLimits.DEFAULTS.headerTimeoutMs(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(output(ch)).startsWith("HTTP/1.1 408 ").containsIgnoringCase("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHeadThatCompletesInTimeCancelsTheHeaderTimer() {
        EmbeddedChannel ch = channel();
        ch.freezeTime();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHo", StandardCharsets.ISO_8859_1));
        ch.writeInbound(Unpooled.copiedBuffer("st: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(output(ch)).startsWith("HTTP/1.1 404 ");
        ch.advanceTimeBy(ClientLimits.DEFAULTS.headerTimeoutMs(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(output(ch)).isEmpty();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void obsFoldSplitAcrossReadsIsStillRefused() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n", StandardCharsets.ISO_8859_1));
        ch.writeInbound(Unpooled.copiedBuffer(" b\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(output(ch)).startsWith("HTTP/1.1 400 ");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answersToHeadCarryNoBodyAndTheNextRequestIsStillParsed() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        String out = output(ch);
        int second = out.indexOf("HTTP/1.1 404 ", 1);
        assertThat(out).startsWith("HTTP/1.1 404 ");
        assertThat(second).isPositive();
        assertThat(out.substring(0, second)).endsWith("\r\n\r\n"); // the HEAD answer ends with its head
        assertThat(out.substring(second)).contains("\"status\":404");
    }

    @Test
    void controlCharacterInTheRequestLine() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(output(ch)).startsWith("HTTP/1.1 400 ");
    }
}
