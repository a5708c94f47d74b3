package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.config.DiskCache;
import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.dataplane.warmup.WarmupSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's readiness window: a proxy restarting with a config in its disk cache has that config applied before
 * its status port is bound, and its warm-up starts only after. {@code /readyz} must say 503 from the first answer
 * it gives until the warm-up has ended; the quiet cold-start bench once saw 200 in between (fixed in 5a04838),
 * and a load balancer that saw it would have sent clients to a cold proxy.
 */
class WarmupReadinessWindowTest {
    @TempDir
    Path dir;

    /** One {@code /readyz} answer and when it arrived. */
    record Answer(long atNanos, int status, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    @Test
    void aProxyStartedWithACachedConfigNeverAnswersReadyBeforeItsWarmupHasEnded() throws Exception {
        Path data = dir.resolve("data");
        try (CountingBackend target = new CountingBackend(); TestControlPlane cp = new TestControlPlane(0)) {
            // The config a previous run of this node applied: restored before any port is bound.
            new DiskCache(data).store(Snapshot.newBuilder().setVersion(7).setNonce("n7")
                    .addUpstreams(Upstream.newBuilder().setName("real").addTargets(OneRouteProxy.loopback(target.port())))
                    .addRoutes(Route.newBuilder().setName("everything").setUpstream("real"))
                    .build());
            Settings ephemeral = Settings.forTest(cp.port(), data);
            int statusPort = freeLoopbackPort(); // known before the start, so polling can begin with it
            Settings settings = new Settings(ephemeral.controlPlaneHost(), ephemeral.controlPlanePort(),
                    ephemeral.proxyAddress(), ephemeral.proxyPort(), statusPort, data, ephemeral.workers(),
                    ephemeral.nodeId(), ephemeral.labels(), ephemeral.client(), ephemeral.drainDelay(),
                    ephemeral.drainTimeout(), ephemeral.tls(), ephemeral.controlPlaneAuth(),
                    ephemeral.observability(), ephemeral.limits());

            ReadyzPoller poller = new ReadyzPoller(statusPort);
            poller.start();
            DataPlane dp;
            long returnedNanos;
            try {
                dp = DataPlane.start(settings, StreamSettings.fromEnv(Map.of(), Duration.ofSeconds(5)),
                        WarmupSettings.of(Duration.ofSeconds(60), 2_000));
                returnedNanos = System.nanoTime();
            } catch (RuntimeException | Error e) {
                poller.halt();
                throw e;
            }
            try (dp) {
                assertThat(dp.warmup().await(90, TimeUnit.SECONDS)).as("warm-up ended: %s", dp.warmup()).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> poller.answers.stream().anyMatch(a -> a.status() == 200));
                poller.halt();
                List<Answer> answers = List.copyOf(poller.answers);
                long endedAt = dp.warmup().endedAtNanos();

                assertThat(dp.appliedVersion()).as("the config came from the disk cache").isEqualTo(7);
                // The window itself was polled: answers came while DataPlane.start was still starting the warm-up.
                assertThat(answers.stream().filter(a -> a.atNanos() < returnedNanos))
                        .as("answers between the status port's bind and the warm-up's start; all: %s", answers)
                        .isNotEmpty();
                assertThat(answers.get(0).toString()).isEqualTo("503 warming up");
                assertThat(answers.stream().filter(a -> a.status() == 200 && a.atNanos() <= endedAt))
                        .as("200s before the warm-up ended; all answers in order: %s", answers)
                        .isEmpty();
                assertThat(answers.stream().filter(a -> a.atNanos() <= endedAt).map(Answer::toString).distinct())
                        .containsExactly("503 warming up");
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Asks {@code /readyz} again and again from before the port is bound (refused connections are retried every
     * 2 ms), one connection per question, and records every answer with its arrival time.
     */
    static final class ReadyzPoller extends Thread {
        final List<Answer> answers = new CopyOnWriteArrayList<>();
        private final int port;
        private volatile boolean halted;

        ReadyzPoller(int port) {
            super("readyz-poller");
            setDaemon(true);
            this.port = port;
        }

        void halt() throws InterruptedException {
            halted = true;
            join(10_000);
        }

        @Override
        public void run() {
            byte[] request = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            while (!halted) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write(request);
                    String response = readAll(s.getInputStream());
                    long at = System.nanoTime();
                    int status = Integer.parseInt(response.substring(9, 12));
                    String body = response.substring(response.indexOf("\r\n\r\n") + 4).strip();
                    answers.add(new Answer(at, status, body));
                } catch (IOException e) {
                    // not bound yet (refused) or closed under us: ask again
                }
                pause(); // ~500 questions a second: the window is hundreds of ms wide, and the warm-up needs the CPU
            }
        }

        private static void pause() {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readAll(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }
}
