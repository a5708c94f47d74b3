package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;

/**
 * A proxy that has never applied a snapshot (control plane silent, no disk cache) does not know which hosts
 * exist, so it must not answer "no route" (404): it answers 503 with Retry-After until its first config.
 */
class NoConfigTest {
    @TempDir
    Path dataDir;

    @Test
    void beforeTheFirstSnapshotEveryRequestGets503WithRetryAfterThenRoutingStarts() throws Exception {
        try (TestControlPlane cp = new TestControlPlane(0);
                DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dataDir))) {
            await().until(() -> !cp.hellos.isEmpty()); // connected, and nothing pushed
            try (RawClient client = new RawClient(dp.proxyPort())) {
                client.send("GET / HTTP/1.1\r\nHost: any.test\r\n\r\n");
                RawClient.Response r = client.read(false);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.headers()).containsEntry("retry-after", "5")
                        .containsEntry("content-type", "application/problem+json");
                assertThat(r.text()).contains("no configuration");
            }

            cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                    .addUpstreams(Upstream.newBuilder().setName("none"))
                    .addRoutes(Route.newBuilder().setName("r").addHosts("known.test").setUpstream("none")).build(), dp);
            try (RawClient client = new RawClient(dp.proxyPort())) {
                client.send("GET / HTTP/1.1\r\nHost: unknown.test\r\n\r\n");
                assertThat(client.read(false).status()).isEqualTo(404);
            }
        }
    }
}
