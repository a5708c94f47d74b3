package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane processes on one PostgreSQL, a proxy process connected only to the second: a write
 * through the first reaches the proxy, and both replicas report the same version for it. The second replica's
 * revision poll is set to an hour, so the write can only reach it by LISTEN/NOTIFY.
 */
class ReplicaProcessesTest {
    private static final Map<String, String> NO_DELAY = Map.of("EDGEWAY_DRAIN_DELAY", "0ms");
    /** Replica B's safety-net poll: far beyond any bound below, so only a NOTIFY can meet them. */
    private static final Duration POLL = Duration.ofHours(1);

    @TempDir
    Path dir;
    private Backend backend;
    private JavaProcess replicaA;
    private JavaProcess replicaB;
    private JavaProcess proxy;

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, replicaB, replicaA, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aWriteThroughReplicaAReachesAProxyConnectedToReplicaB() throws Exception {
        backend = new Backend("replicated");
        String db = TestDatabase.create(ReplicaProcessesTest.class).url();
        replicaA = Fleet.controlPlane(db, Fleet.freePort(), Fleet.freePort(), dir.resolve("a"));
        int grpcB = Fleet.freePort();
        replicaB = Fleet.controlPlane(db, Fleet.freePort(), grpcB, dir.resolve("b"),
                Map.of("EDGEWAY_REVISION_POLL", POLL.toHours() + "h"));
        AdminClient viaA = new AdminClient(replicaA.ready("admin"));
        AdminClient viaB = new AdminClient(replicaB.ready("admin"));
        proxy = Fleet.proxy("proxy-on-b", grpcB, dir.resolve("proxy"), 0, 0, NO_DELAY);

        // These writes may reach B by the read its listener makes right after LISTEN (B starts listening
        // asynchronously); once B has them, it is listening, and the next write can only come by NOTIFY.
        Fleet.awaitApplied(viaB, List.of(proxy.ready("node")), Fleet.catchAllRoute(viaA, "replicated", backend));
        // One more write through A, timed from its 2xx to B's node list showing the proxy applied it.
        AdminClient.Reply route = viaA.post("/api/v1/routes",
                "{\"name\":\"also\",\"paths\":[\"/also\"],\"upstream\":\"replicated\"}");
        assertThat(route.status()).isEqualTo(201);
        long answered = System.nanoTime();
        long revision = route.revision();
        Fleet.awaitApplied(viaB, List.of(proxy.ready("node")), revision);
        Duration latency = Duration.ofNanos(System.nanoTime() - answered);
        System.out.printf("write through A applied by the proxy on B within %d ms of its 2xx (polled every 100 ms)%n",
                latency.toMillis());
        // Not a speed check: any bound far below B's hour-long poll proves the NOTIFY carried the write.
        assertThat(latency).isLessThan(Fleet.CONVERGE).isLessThan(POLL);

        assertThat(Fleet.get(Integer.parseInt(proxy.ready("proxy")), "/through-b").statusCode()).isEqualTo(200);
        assertThat(backend.requests()).isEqualTo(1);
        // Same state, same number: B's revision list ends where A's does.
        assertThat(viaB.get("/api/v1/revisions").body().get("data").get(0).get("revision").asLong())
                .isEqualTo(viaA.get("/api/v1/revisions").body().get("data").get(0).get("revision").asLong())
                .isEqualTo(revision);
    }
}
