package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM's drain covers stream connections: the port stops accepting, open connections get the drain timeout. */
class StreamDrainTest {
    @TempDir
    Path dataDir;

    @Test
    void aDrainStopsNewStreamConnectionsAndEndsOpenOnesAfterTheDrainTimeout() throws Exception {
        try (EchoTarget echo = new EchoTarget("echo"); TestControlPlane cp = new TestControlPlane(0)) {
            Settings t = Settings.forTest(cp.port(), dataDir);
            Settings s = new Settings(t.controlPlaneHost(), t.controlPlanePort(), t.proxyAddress(), 0, 0, dataDir,
                    t.workers(), t.nodeId(), t.labels(), t.client(), Duration.ZERO, Duration.ofSeconds(5), t.tls(),
                    t.controlPlaneAuth(), t.observability(), t.limits());
            DataPlane dp = DataPlane.start(s, StreamHarness.settings().withDrainTimeout(Duration.ofSeconds(5)));
            try {
                int port = freePort();
                cp.push(Snapshot.newBuilder().setVersion(1).addUpstreams(upstream("echo", echo.port()))
                        .addStreamRoutes(tcp("drained", port, "echo")).build());
                await().until(() -> cp.answered(1, true));
                try (Socket open = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    open.setSoTimeout(20_000);
                    assertThat(StreamTcpTest.roundTrip(open, "before")).isEqualTo("before");
                    CompletableFuture<Void> drained = CompletableFuture.runAsync(dp::drainAndClose);
                    await().untilAsserted(() -> assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                            .isInstanceOf(ConnectException.class));
                    assertThat(drained).isNotDone(); // waiting on the open stream connection
                    assertThat(StreamTcpTest.roundTrip(open, "during the drain")).isEqualTo("during the drain");
                    assertThat(open.getInputStream().read()).isEqualTo(-1); // cut at the drain timeout
                    drained.join();
                }
            } finally {
                dp.close();
            }
        }
    }
}
