package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Push protocol guarantees: versions only move forward, rollback included (reliability catalogue C3). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolGuaranteesTest {
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        http = new Http(cp.adminPort());
        http.post("/api/v1/upstreams", "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}");
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private void awaitCacheCurrent() {
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == db.revision());
    }

    @Test
    void aNodeAheadOfTheControlPlaneIsNeverSentALowerVersion() throws Exception {
        // A proxy that ran a newer config (e.g. the database was restored from an older backup) says so in Hello.
        awaitCacheCurrent();
        long ahead = db.revision() + 3;
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-ahead", ahead)) {
            long last = 0;
            for (int i = 0; i < 4; i++) {
                last = http.post("/api/v1/upstreams", "{\"name\":\"ahead-" + i + "\"}").revisionNumber();
            }
            assertThat(last).isGreaterThan(ahead);
            // Snapshots arrive in order on one stream: had anything at or below `ahead` been sent, it would come first.
            assertThat(node.next().getVersion()).isGreaterThan(ahead);
        }
    }

    @Test
    void rollbackCommitsANewHigherVersionWithTheOldContent() throws Exception {
        long old = http.post("/api/v1/routes", "{\"name\":\"web\",\"upstream\":\"shop\",\"paths\":[\"/old\"]}").revisionNumber();
        long changed = http.put("/api/v1/routes/web", "{\"upstream\":\"shop\",\"paths\":[\"/new\"]}").revisionNumber();
        awaitCacheCurrent();
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-rollback", 0)) {
            Snapshot current = node.next();
            assertThat(current.getVersion()).isEqualTo(changed);
            node.ack(current);

            long rolledBack = http.post("/api/v1/revisions/" + old + "/rollback", "").revisionNumber();
            assertThat(rolledBack).isGreaterThan(changed);
            Snapshot s = node.next();
            assertThat(s.getVersion()).isEqualTo(rolledBack).isGreaterThan(current.getVersion());
            assertThat(s.getRoutesList()).filteredOn(r -> r.getName().equals("web")).singleElement()
                    .satisfies(r -> assertThat(r.getPathsList()).containsExactly("/old"));
        }
    }
}
