package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A control plane that stops mid-rollout and starts again on the same database carries the rollout on: the
 * state is in PostgreSQL, the other nodes stay held at the previous revision, and the restarted watcher still
 * rolls back on a canary's Nack.
 */
class RolloutRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> CANARY = Map.of("canary", "true");

    @Test
    void aRestartedControlPlaneKeepsTheRolloutAndItsHeldBackNodes() throws Exception {
        TestDatabase db = TestDatabase.create(RolloutRestartTest.class);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("EDGEWAY_ROLLOUT_TICK", "100ms");
        long previous;
        long revision;
        long id;
        try (ControlPlane cp = ControlPlane.start(db.settings(), env)) {
            Http http = new Http(cp.adminPort());
            previous = http.post("/api/v1/upstreams", "{\"name\":\"before\"}").revisionNumber();
            Http.Response w = http.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"during\"}");
            assertThat(w.status()).as(w.body()).isEqualTo(201);
            revision = w.revisionNumber();
            id = http.get("/api/v1/rollouts").json().get("data").get(0).get("id").asLong();
        }

        try (ControlPlane cp = ControlPlane.start(db.settings(), env)) {
            Http http = new Http(cp.adminPort());
            JsonNode r = http.get("/api/v1/rollouts/" + id).json();
            assertThat(r.get("state").asText()).isEqualTo("canary");
            assertThat(r.get("revision").asLong()).isEqualTo(revision);
            assertThat(http.post("/api/v1/upstreams", "{\"name\":\"refused\"}").status()).isEqualTo(409);

            try (TestNode other = new TestNode(cp.grpcPort()).hello("restart-other", previous, Map.of());
                 TestNode canary = new TestNode(cp.grpcPort()).hello("restart-canary", previous, CANARY)) {
                Snapshot got = canary.next();
                assertThat(got.getVersion()).isEqualTo(revision);
                await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode o = node(http, "restart-other");
                    assertThat(o).isNotNull();
                    assertThat(o.get("desired_version").asLong()).isEqualTo(previous);
                });
                canary.nack(got, "upstream during: bad target");
                await().atMost(WAIT).until(() -> http.get("/api/v1/rollouts/" + id).json().get("state").asText()
                        .equals("rolled_back"));
                long restored = http.get("/api/v1/rollouts/" + id).json().get("restored_revision").asLong();
                // Its first snapshot since reconnecting is the restoring revision: it was never sent the canary one.
                Snapshot next = other.next();
                assertThat(next.getVersion()).isEqualTo(restored);
                assertThat(next.getUpstreamsList()).extracting(u -> u.getName()).contains("before").doesNotContain("during");
            }
        }
    }

    private static JsonNode node(Http http, String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }
}
