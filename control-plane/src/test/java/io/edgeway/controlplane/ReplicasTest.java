package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two control-plane replicas on one database: a write through one reaches a proxy on the other. */
class ReplicasTest {
    @Test
    void aWriteThroughReplicaAReachesAStreamOnReplicaB() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane a = ControlPlane.start(db.settings());
             ControlPlane b = ControlPlane.start(db.settings());
             TestNode node = new TestNode(b.grpcPort()).hello("node-on-b", 0)) {
            Snapshot initial = node.next();
            assertThat(initial.getVersion()).isZero();
            node.ack(initial);

            long written = new Http(a.adminPort())
                    .post("/api/v1/upstreams", "{\"name\":\"via-a\",\"targets\":[{\"host\":\"10.0.0.1\",\"port\":80}]}")
                    .revisionNumber();

            Snapshot pushed = node.next();
            assertThat(pushed.getVersion()).isEqualTo(written);
            assertThat(pushed.getUpstreams(0).getName()).isEqualTo("via-a");
            // each replica builds on its own thread: A may still be building when B has already pushed
            await().atMost(Duration.ofSeconds(10)).until(() -> a.version() == written);
            assertThat(b.version()).isEqualTo(a.version());
        }
    }
}
