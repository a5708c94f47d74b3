package io.edgeway.dataplane.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.ClientCodec;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.proto.v1.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Upgrade: h2c} gets the same per-turn flush batching as prior knowledge and TLS ({@link H2FlushBatcher}):
 * on a real event loop ({@link InVmConnection}), the 101, the server's SETTINGS and stream 1's answer reach
 * the socket in one flush at the end of the turn, not one flush each as they are written.
 */
class H2cUpgradeFlushTest {
    private final Metrics metrics = new Metrics(() -> 0);
    private final SocketSide socket = new SocketSide();
    private InVmConnection connection;
    private LoopResources loop;
    private Channel ch;

    @BeforeEach
    void connect() throws Exception {
        // The names H2cUpgrade expects of the HTTP/1.1 client pipeline (ProxyInitializer's).
        connection = new InVmConnection(H2cUpgradeFlushTest.class, p -> p.addLast("socket", socket)
                .addLast("codec", new ClientCodec(ClientLimits.DEFAULTS))
                .addLast("drain", new ChannelDuplexHandler())
                .addLast("frontend", new ChannelDuplexHandler()));
        ch = connection.ch;
        loop = new LoopResources(ch.eventLoop(), NioSocketChannel.class, 1_000, metrics);
    }

    @AfterEach
    void close() throws Exception {
        loop.close();
        connection.close();
    }

    @Test
    void theUpgradesFirstWritesLeaveInOneFlushAtTheEndOfTheTurn() throws Exception {
        Http2Frontend h2 = new Http2Frontend(noRoutes(), loop, metrics, ClientLimits.DEFAULTS);
        int inTurn = inOneTurn(() -> {
            H2cUpgrade.upgrade(ch.pipeline().context("frontend"), upgradeRequest(), h2);
            return socket.flushes;
        });
        assertThat(inTurn).as("flushes that reached the socket before the turn ended").isZero();
        assertThat(inOneTurn(() -> socket.flushes)).as("flushes after the turn").isEqualTo(1);
        assertThat(inOneTurn(() -> socket.flushedText)).startsWith("HTTP/1.1 101");
    }

    /** What java.net.http sends for HTTP_2 over http:// (an empty HTTP2-Settings is a valid SETTINGS payload). */
    private static HttpRequest upgradeRequest() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("host", "h2c.test").set("connection", "Upgrade, HTTP2-Settings")
                .set("upgrade", "h2c").set("http2-settings", "");
        return req;
    }

    /** An applied config without routes: stream 1 gets a 404 without any upstream. */
    private static ConfigHolder noRoutes() throws InvalidConfigException {
        ConfigHolder holder = new ConfigHolder();
        holder.set(RuntimeConfig.from(Snapshot.getDefaultInstance()));
        return holder;
    }

    private <T> T inOneTurn(Callable<T> task) throws Exception {
        return connection.inOneTurn(task);
    }

    /** Where the socket would be: counts the flushes that reach it and keeps the text flushed so far. */
    private static final class SocketSide extends ChannelOutboundHandlerAdapter {
        int flushes;
        final StringBuilder written = new StringBuilder();
        String flushedText = "";

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            written.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            flushedText = written.toString();
            ctx.flush();
        }
    }
}
