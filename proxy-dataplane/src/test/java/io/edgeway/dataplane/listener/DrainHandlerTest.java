package io.edgeway.dataplane.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drain on one connection: idle ones close at once, busy ones after their response, with Connection: close. */
class DrainHandlerTest {
    private final Drain drain = new Drain();
    private final ArrayDeque<HttpRequest> received = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    DrainHandlerTest() {
        // Stands in for the frontend: keeps requests until the test answers them.
        channel.pipeline()
                .addLast("codec", new HttpServerCodec())
                .addLast("drain", drain.newHandler())
                .addLast("app", new SimpleChannelInboundHandler<HttpObject>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                        if (msg instanceof HttpRequest r) {
                            received.add(r);
                        }
                    }
                });
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private void request() {
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
    }

    private String answer() {
        received.poll();
        var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.writeAndFlush(res);
        channel.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            sb.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) o).release();
        }
        return sb.toString();
    }

    private void closeConnections() {
        var group = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        group.add(channel);
        drain.closeConnections(group);
        channel.runPendingTasks();
    }

    @Test
    void beforeTheDrainResponsesStayKeepAlive() {
        drain.begin(); // readiness only: connections are not touched yet
        request();
        assertThat(answer()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anIdleConnectionIsClosedAtOnce() {
        request();
        answer();
        closeConnections();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBusyConnectionFinishesItsResponseWithConnectionCloseThenCloses() {
        request();
        closeConnections();
        assertThat(channel.isOpen()).as("a request is in flight").isTrue();
        assertThat(answer()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPipelinedRequestBehindTheLastResponseIsNotForwarded() {
        request();
        closeConnections();
        var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        received.poll();
        // Hold the write so the connection is still open when the next request arrives.
        channel.write(res);
        request();
        assertThat(received).as("the client was told Connection: close; it must retry this one").isEmpty();
        channel.flush();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void informationalResponsesDoNotEndTheExchange() {
        request();
        closeConnections();
        channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        assertThat(answer()).contains("HTTP/1.1 100").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }
}
