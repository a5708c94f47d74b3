package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.acme.Pebble;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane processes on one PostgreSQL: A holds the ACME lock and places the order, then blocks in it
 * (a node connected to A never acks the challenge's snapshot) and is killed with SIGKILL. B takes the lock,
 * resumes the stored order with the stored key, gets its challenge answered by the proxy connected to B, and
 * the certificate is issued: pebble saw one order for it, not two.
 */
class AcmeFailoverTest {
    @TempDir
    Path dir;
    private JavaProcess replicaA;
    private JavaProcess replicaB;
    private JavaProcess proxy;
    private SilentNode silent;
    private Pebble pebble;

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {pebble, proxy, silent, replicaB, replicaA}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void theLockHolderKilledMidOrderIsSucceededAndTheCaSeesOneOrder() throws Exception {
        TestDatabase db = TestDatabase.create(AcmeFailoverTest.class);
        Path ca = Pebble.makeServerCertificate(dir);
        Map<String, String> env = new HashMap<>(Map.of("EDGEWAY_MASTER_KEY", TestCerts.MASTER_KEY,
                "EDGEWAY_ACME_CA_FILE", ca.toString(), "EDGEWAY_ACME_POLL", "200ms", "EDGEWAY_ACME_BACKOFF", "1h",
                "EDGEWAY_DRAIN_DELAY", "0ms"));
        Map<String, String> envA = new HashMap<>(env);
        envA.put("EDGEWAY_ACME_ACK_TIMEOUT", "10m"); // A waits for its silent node until it is killed
        int grpcA = Fleet.freePort();
        replicaA = Fleet.controlPlane(db.url(), Fleet.freePort(), grpcA, dir.resolve("a"), envA);
        await().atMost(Duration.ofSeconds(30)).until(() -> advisoryLocks(db) == 1); // A is the holder
        silent = new SilentNode(grpcA, "stuck-on-a");

        int grpcB = Fleet.freePort();
        replicaB = Fleet.controlPlane(db.url(), Fleet.freePort(), grpcB, dir.resolve("b"), env);
        AdminClient viaB = new AdminClient(replicaB.ready("admin"));
        proxy = Fleet.proxy("proxy-on-b", grpcB, dir.resolve("proxy"), 0, 0, Map.of("EDGEWAY_DRAIN_DELAY", "0ms"));
        int plain = Integer.parseInt(proxy.ready("proxy"));
        pebble = Pebble.start(dir.resolve("pebble"), plain, plain, Map.of("PEBBLE_AUTHZREUSE", "0"));

        AdminClient.Reply created = viaB.post("/api/v1/certificates", """
                {"name":"shop","snis":["shop.example.com","www.shop.example.com"],"acme":{"issuer":"%s"}}"""
                .formatted(pebble.directory()));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        // A has placed the order and published its tokens, and is now waiting for its silent node
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "1".equals(db.queryText("SELECT count(*) FROM acme_status WHERE order_url IS NOT NULL"))
                        && !"0".equals(db.queryText("SELECT count(*) FROM acme_http_challenges")));
        assertThat(pebble.orders()).isEqualTo(1);
        replicaA.kill();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            var cert = viaB.get("/api/v1/certificates/shop").body();
            assertThat(cert.path("status").asText()).as("%s%nB:%n%s", cert, replicaB.output()).isEqualTo("valid");
        });
        assertThat(pebble.orders()).as(pebble.log()).isEqualTo(1);
        assertThat(replicaB.output()).contains("resuming order");
    }

    private static long advisoryLocks(TestDatabase db) {
        return Long.parseLong(db.queryText("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"));
    }
}
