package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two control-plane replicas on one database: a write through one reaches a proxy on the other. */
class ReplicasTest {
    /**
     * Replica B's revision poll is an hour, so within the 20 s that {@link TestNode#next()} waits only a NOTIFY
     * from A's commit can tell B about the write: with NOTIFY broken, this fails (a 1 s poll would hide it).
     */
    @Test
    void aWriteThroughReplicaAReachesAStreamOnReplicaBByNotifyAlone() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane a = ControlPlane.start(db.settings());
             ControlPlane b = ControlPlane.start(db.settings(), Map.of("EDGEWAY_REVISION_POLL", "1h"));
             TestNode node = new TestNode(b.grpcPort()).hello("node-on-b", 0)) {
            Snapshot initial = node.next();
            assertThat(initial.getVersion()).isZero();
            node.ack(initial);
            Http viaA = new Http(a.adminPort());

            // The first write may reach B by the read its listener makes right after LISTEN; once it has,
            // B is certainly listening, and the second write has no way to B but the notification.
            long first = viaA.post("/api/v1/upstreams", "{\"name\":\"first\",\"targets\":[{\"host\":\"10.0.0.1\",\"port\":80}]}")
                    .revisionNumber();
            Snapshot firstPushed = node.next();
            assertThat(firstPushed.getVersion()).isEqualTo(first);
            node.ack(firstPushed);

            long written = viaA.post("/api/v1/upstreams", "{\"name\":\"via-a\",\"targets\":[{\"host\":\"10.0.0.1\",\"port\":80}]}")
                    .revisionNumber();
            Snapshot pushed = node.next();
            assertThat(pushed.getVersion()).isEqualTo(written);
            assertThat(pushed.getUpstreamsList()).extracting(u -> u.getName()).contains("via-a");
            // each replica builds on its own thread: A may still be building when B has already pushed
            await().atMost(Duration.ofSeconds(10)).until(() -> a.version() == written);
            assertThat(b.version()).isEqualTo(a.version());
        }
    }
}
