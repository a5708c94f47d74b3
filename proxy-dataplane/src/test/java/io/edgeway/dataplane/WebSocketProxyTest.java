package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket through a real DataPlane: java.net.http's WebSocket client, a Netty WebSocket echo server. */
class WebSocketProxyTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static WebSocketEchoBackend ws;
    static TestBackend plain;
    static DataPlane dp;
    static long version = 1;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        ws = new WebSocketEchoBackend();
        plain = new TestBackend("plain");
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        push();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        OneRouteProxy.closeAll(ws, plain, cp);
    }

    /** A new version each time; the WebSocket route itself never changes. */
    static void push() {
        long v = ++version;
        cp.push(Snapshot.newBuilder().setVersion(v).setNonce("n" + v)
                .addUpstreams(Upstream.newBuilder().setName("ws").addTargets(target(ws.port())))
                .addUpstreams(Upstream.newBuilder().setName("plain").addTargets(target(plain.port())))
                .addRoutes(Route.newBuilder().setName("ws").addHosts("ws.test").setUpstream("ws"))
                .addRoutes(Route.newBuilder().setName("plain").addHosts("plain.test").setUpstream("plain"))
                .addRoutes(Route.newBuilder().setName("churn-" + v).addHosts("v" + v + ".test").setUpstream("plain"))
                .build());
        await().until(() -> cp.answered(v, true));
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    /** Collects whole messages (the client may deliver one in parts) and the close. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("a message within 20s").isNotNull();
            return m;
        }
    }

    static WebSocket open(Collector c) {
        return client.newWebSocketBuilder().header("Host", "ws.test").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + dp.proxyPort() + "/ws"), c).join();
    }

    @Test
    void textAndBinaryMessagesEchoThroughTheProxy() throws Exception {
        Collector c = new Collector();
        WebSocket w = open(c);
        w.sendText("hello", true).join();
        assertThat(c.next()).isEqualTo("hello");
        w.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
        assertThat((byte[]) c.next()).containsExactly(1, 2, 3);
        w.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        assertThat(c.closed.get(20, TimeUnit.SECONDS)).startsWith("1000");
    }

    @Test
    void aOneMebibyteMessageEchoesByteForByte() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        Collector c = new Collector();
        WebSocket w = open(c);
        w.sendBinary(ByteBuffer.wrap(big), true).join();
        assertThat((byte[]) c.next()).isEqualTo(big);
        w.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        c.closed.get(20, TimeUnit.SECONDS);
    }

    @Test
    void theTargetCanCloseTheWebSocket() throws Exception {
        Collector c = new Collector();
        WebSocket w = open(c);
        w.sendText("close", true).join();
        assertThat(c.closed.get(20, TimeUnit.SECONDS)).isEqualTo("1000 bye");
    }

    @Test
    void anOpenWebSocketSurvivesConfigPushes() throws Exception {
        Collector c = new Collector();
        WebSocket w = open(c);
        w.sendText("before", true).join();
        assertThat(c.next()).isEqualTo("before");
        push();
        push();
        w.sendText("after", true).join();
        assertThat(c.next()).isEqualTo("after");
        w.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        c.closed.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aDrainClosesOpenWebSocketsInsteadOfWaitingForTheirEnd(@TempDir Path dir) throws Exception {
        // Its own proxy: the drain ends it. The drain timeout (30s) is longer than the wait below, so the
        // tunnel must be closed by the drain itself, not by the final close of whatever is left.
        DataPlane draining = DataPlane.start(Settings.forTest(cp.port(), dir));
        await().until(() -> draining.appliedVersion() == version);
        Collector c = new Collector();
        WebSocket w = client.newWebSocketBuilder().header("Host", "ws.test")
                .buildAsync(URI.create("ws://127.0.0.1:" + draining.proxyPort() + "/ws"), c).join();
        w.sendText("hi", true).join();
        assertThat(c.next()).isEqualTo("hi");
        Thread drain = new Thread(draining::drainAndClose);
        drain.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> c.closed.isDone() && !drain.isAlive());
    }

    @Test
    void otherUpgradesAreForwardedAsPlainRequests() throws Exception {
        RawHttp.Answer a = RawHttp.send(dp.proxyPort(), "GET / HTTP/1.1\r\nHost: plain.test\r\nConnection: Upgrade, "
                + "close\r\nUpgrade: foo/2\r\n\r\n");
        assertThat(a.status()).isEqualTo(200);
        assertThat(plain.lastHeaders).doesNotContainKeys("upgrade");
    }

    @Test
    void aRefusedHandshakeIsRelayedAsAnOrdinaryResponse() throws Exception {
        // The plain backend does not speak WebSocket: its 200 comes back as is, on a usable connection.
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.proxyPort() + "/")).header("Host", "plain.test").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.body()).isEqualTo("plain");
        RawHttp.Answer a = RawHttp.send(dp.proxyPort(), "GET / HTTP/1.1\r\nHost: plain.test\r\nConnection: Upgrade,"
                + " close\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(a.status()).isEqualTo(200);
        assertThat(plain.lastHeaders.get("upgrade")).isEqualTo("websocket");
    }
}
