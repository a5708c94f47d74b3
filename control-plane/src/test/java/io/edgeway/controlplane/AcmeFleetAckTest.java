package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.acme.Pebble;
import io.edgeway.dataplane.DataPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ACME client waits for the proxies of every replica, not only its own: replica A (this class's control
 * plane) holds the lock and has a proxy; replica B, on the same database, has a node that never acks. The order
 * fails naming B's node; once that node is gone, the renewal succeeds.
 */
class AcmeFleetAckTest extends RunningControlPlane {
    private Path dir;
    private Map<String, String> env;
    private ControlPlane replicaB;
    private DataPlane proxy;

    @Override
    protected Map<String, String> env() {
        try {
            dir = Files.createTempDirectory("edgeway-acme-fleet");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_ACME_CA_FILE", Pebble.makeServerCertificate(dir).toString());
        env.put("EDGEWAY_ACME_POLL", "200ms");
        env.put("EDGEWAY_ACME_BACKOFF", "1h");
        env.put("EDGEWAY_ACME_ACK_TIMEOUT", "3s");
        return env;
    }

    @BeforeAll
    void startReplicaBAndProxy() throws Exception {
        Map<String, String> parked = new HashMap<>(env);
        parked.put("EDGEWAY_ACME_POLL", "24h"); // B never looks for work: A holds the lock
        replicaB = ControlPlane.start(db.settings(), parked);
        proxy = DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), dir.resolve("proxy")));
    }

    @AfterAll
    void stopAll() {
        proxy.close();
        replicaB.close();
    }

    @Test
    void anOrderWaitsForANodeOnAnotherReplica() throws Exception {
        try (Pebble pebble = Pebble.start(dir.resolve("pebble"), proxy.proxyPort(), proxy.tlsPort(), Map.of());
             TestNode stuck = new TestNode(replicaB.grpcPort()).hello("stuck-on-b", 0)) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "1".equals(db.queryText("SELECT count(*) FROM fleet_nodes WHERE node_id = 'stuck-on-b' AND connected")));
            assertThat(http.post("/api/v1/certificates", """
                    {"name":"shop","snis":["shop.example.com"],"acme":{"issuer":"%s"}}""".formatted(pebble.directory()))
                    .status()).isEqualTo(201);
            JsonNode failed = awaitStatus("failed");
            assertThat(failed.path("last_error").asText()).contains("did not reach every proxy").contains("stuck-on-b");

            stuck.close();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "0".equals(db.queryText("SELECT count(*) FROM fleet_nodes WHERE node_id = 'stuck-on-b' AND connected")));
            assertThat(http.post("/api/v1/certificates/shop/renew", "").status()).isEqualTo(202);
            awaitStatus("valid");
        }
    }

    private JsonNode awaitStatus(String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = http.get("/api/v1/certificates/shop").json();
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isEqualTo(status);
        });
        return last[0];
    }
}
