package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: a proxy that restarts from its snapshot cache reports the entities it quarantined again. Without
 * that, its Ack of the cached version (the one its Hello names, which the control plane sends back) would be
 * clean, and the ledger would show a snapshot applied whole that the proxy still runs without two routes.
 */
class QuarantineRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void aProxyRestartedFromItsCacheNamesTheSameQuarantinedEntitiesInItsAck() throws Exception {
        try (TestControlPlane cp = new TestControlPlane(0); TestBackend backend = new TestBackend("ok")) {
            Snapshot partlyBad = Snapshot.newBuilder().setVersion(7).setNonce("nonce-7")
                    .addUpstreams(Upstream.newBuilder().setName("good").addTargets(target(backend.port())))
                    .addUpstreams(Upstream.newBuilder().setName("badport")
                            .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(70000)))
                    .addRoutes(Route.newBuilder().setName("fine").addHosts("fine.test").setUpstream("good"))
                    .addRoutes(Route.newBuilder().setName("broken").addHosts("broken.test").setUpstream("missing"))
                    .addRoutes(Route.newBuilder().setName("orphan").addHosts("orphan.test").setUpstream("badport"))
                    .build();
            List<String> firstTime;
            DataPlane first = DataPlane.start(Settings.forTest(cp.port(), dataDir));
            try {
                cp.push(partlyBad);
                await().until(() -> acks(cp).size() == 1);
                firstTime = names(acks(cp).get(0).getAck().getQuarantinedList());
                assertThat(firstTime).containsExactlyInAnyOrder("route broken", "route orphan", "upstream badport");
            } finally {
                first.close();
            }

            DataPlane restarted = DataPlane.start(Settings.forTest(cp.port(), dataDir));
            try {
                // Served from the cache, the Hello names version 7, and the control plane sends 7 back.
                await().until(() -> cp.hellos.size() == 2);
                assertThat(cp.hellos.get(1).getAppliedVersion()).isEqualTo(7);
                await().until(() -> acks(cp).size() == 2);
                NodeMessage again = acks(cp).get(1);
                assertThat(again.getAck().getVersion()).isEqualTo(7);
                assertThat(names(again.getAck().getQuarantinedList())).containsExactlyInAnyOrderElementsOf(firstTime);
                assertThat(restarted.appliedVersion()).isEqualTo(7);
            } finally {
                restarted.close();
            }
        }
    }

    private static List<NodeMessage> acks(TestControlPlane cp) {
        return cp.answers.stream().filter(NodeMessage::hasAck).toList();
    }

    private static List<String> names(List<ResourceError> errors) {
        return errors.stream().map(e -> e.getKind() + " " + e.getName()).toList();
    }

    private static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }
}
