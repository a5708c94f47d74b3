package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.ClientCodec;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Walks the {@link Phase}s of one request through the real client pipeline and real upstream pipelines, both on
 * EmbeddedChannels: each target connection is parked in the loop's pool beforehand, so the exchange takes it
 * instead of connecting, and the test plays the target by writing its bytes into that channel. Each step checks
 * the phase and what it means on the wire: what the target received, what the client received.
 */
class ExchangePhaseTest {
    private static final InetSocketAddress FIRST = new InetSocketAddress("127.0.0.1", 9);
    private static final InetSocketAddress SECOND = new InetSocketAddress("127.0.0.1", 19);

    private final Metrics metrics = new Metrics(() -> 0);
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private EmbeddedChannel client;
    private FrontendHandler frontend;
    private LoopResources loop;

    /** A client connection whose route "app" goes to an upstream with these targets (connections: see below). */
    private void proxy(InetSocketAddress... targets) throws Exception {
        Upstream.Builder upstream = Upstream.newBuilder().setName("app");
        for (InetSocketAddress t : targets) {
            upstream.addTargets(Target.newBuilder().setHost(t.getHostString()).setPort(t.getPort()).setWeight(1));
        }
        ConfigHolder configs = new ConfigHolder();
        configs.set(RuntimeConfig.from(Snapshot.newBuilder().setVersion(1).addUpstreams(upstream)
                .addRoutes(Route.newBuilder().setName("app").addHosts("app").setUpstream("app")).build()));
        client = new EmbeddedChannel();
        channels.add(client);
        loop = new LoopResources(client.eventLoop(), NioSocketChannel.class, 60_000, metrics);
        frontend = new FrontendHandler(configs, loop, metrics, TrustedProxies.NONE);
        client.pipeline().addLast("codec", new ClientCodec(ClientLimits.DEFAULTS)).addLast("frontend", frontend);
        client.pipeline().fireChannelActive();
    }

    /** An upstream connection to {@code target} with the proxy's own upstream pipeline, parked in the pool. */
    private EmbeddedChannel pooledConnection(InetSocketAddress target) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        ch.pipeline()
                .addLast("encoder", new UpstreamRequestEncoder())
                .addLast("decoder", new UpstreamDecoder(LoopResources.upstreamDecoderConfig()))
                .addLast("backend", new BackendHandler(loop.pool(), target, metrics));
        loop.pool().release(target, ch);
        return ch;
    }

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = o instanceof ByteBufHolder h ? h.content() : (ByteBuf) o;
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            ((io.netty.util.ReferenceCounted) o).release();
        }
        return sb.toString();
    }

    private Phase phase() {
        return frontend.phase();
    }

    @Test
    void pooledTargetAnswersWithInformationalThenFinalResponseAndTheConnectionIsIdleAgain() throws Exception {
        proxy(FIRST);
        EmbeddedChannel target = pooledConnection(FIRST);
        assertThat(phase()).isEqualTo(Phase.IDLE);

        send(client, "GET /a HTTP/1.1\r\nHost: app\r\n\r\n"); // IDLE → ROUTING → AWAITING_RESPONSE (pooled)
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        assertThat(written(target)).startsWith("GET /a HTTP/1.1\r\n");
        assertThat(loop.pool().size()).isZero();

        send(target, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"); // → INFORMATIONAL → AWAITING_RESPONSE
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        assertThat(written(client)).startsWith("HTTP/1.1 103 Early Hints\r\n");

        send(target, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"); // → RELAYING
        assertThat(phase()).isEqualTo(Phase.RELAYING);
        assertThat(written(client)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhel");

        send(target, "lo"); // RELAYING → IDLE: the client keeps its connection, the target's goes back to the pool
        assertThat(phase()).isEqualTo(Phase.IDLE);
        assertThat(written(client)).isEqualTo("lo");
        assertThat(client.isOpen()).isTrue();
        assertThat(loop.pool().size()).isEqualTo(1);

        send(client, "GET /b HTTP/1.1\r\nHost: app\r\n\r\n"); // the next request takes the same connection
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        assertThat(written(target)).startsWith("GET /b HTTP/1.1\r\n");
    }

    @Test
    void a503IsDroppedAndTheRequestGoesToTheOtherTarget() throws Exception {
        proxy(FIRST, SECOND);
        EmbeddedChannel first = pooledConnection(FIRST);
        EmbeddedChannel second = pooledConnection(SECOND);

        send(client, "GET / HTTP/1.1\r\nHost: app\r\n\r\n");
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        String toFirst = written(first);
        EmbeddedChannel picked = toFirst.isEmpty() ? second : first;
        EmbeddedChannel other = picked == first ? second : first;
        assertThat(toFirst.isEmpty() ? written(second) : toFirst).startsWith("GET / HTTP/1.1\r\n");

        send(picked, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\n\r\nab"); // → DROPPING_503
        assertThat(phase()).isEqualTo(Phase.DROPPING_503);
        assertThat(written(other)).isEmpty(); // not before the 503 has been read to its end

        send(picked, "c"); // DROPPING_503 → AWAITING_RESPONSE on the other target's pooled connection
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        assertThat(written(other)).startsWith("GET / HTTP/1.1\r\n");

        send(other, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // → RELAYING → IDLE
        assertThat(phase()).isEqualTo(Phase.IDLE);
        String out = written(client);
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok").doesNotContain("503");
    }

    @Test
    void aResponseThatEndsBeforeTheRequestBodyClosesTheClientConnection() throws Exception {
        proxy(FIRST);
        EmbeddedChannel target = pooledConnection(FIRST);

        send(client, "POST / HTTP/1.1\r\nHost: app\r\nContent-Length: 10\r\n\r\nhello"); // body half sent
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        assertThat(written(target)).startsWith("POST / HTTP/1.1\r\n").endsWith("hello");

        // RELAYING → CLOSED: the rest of the body would have to be read and dropped, so the client connection ends.
        send(target, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
        assertThat(phase()).isEqualTo(Phase.CLOSED);
        assertThat(written(client)).startsWith("HTTP/1.1 413 ");
        client.runPendingTasks();
        assertThat(client.isOpen()).isFalse();
        assertThat(target.isOpen()).isFalse(); // and the target's, with half a request on it, is not pooled
        assertThat(loop.pool().size()).isZero();
    }

    @Test
    void aTargetThatClosesBeforeAnsweringGets502AndTheClientConnectionStaysOpen() throws Exception {
        proxy(FIRST);
        EmbeddedChannel target = pooledConnection(FIRST);

        send(client, "POST / HTTP/1.1\r\nHost: app\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(phase()).isEqualTo(Phase.AWAITING_RESPONSE);
        written(target);

        // A POST with a body is neither replayed nor failed over: AWAITING_RESPONSE → (local answer) → IDLE.
        target.close();
        assertThat(phase()).isEqualTo(Phase.IDLE);
        assertThat(written(client)).startsWith("HTTP/1.1 502 ");
        assertThat(client.isOpen()).isTrue();
    }
}
