package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.discovery.NodeSelector;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An N% rollout on a real control plane (issue 22): when the hash picks none of a small fleet, one node is the
 * canary anyway, chosen when the rollout starts, and a reconnect (of it or of another node) changes nothing.
 */
class RolloutPercentTest extends RunningControlPlane {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void tenPercentOfThreeNodesIsOneNodeTheSameOneAfterReconnects() throws Exception {
        // three ids the hash puts outside 10 %: without the fallback, this rollout would have no canary at all
        List<String> ids = IntStream.range(0, 100).mapToObj(i -> "pct-" + i)
                .filter(id -> NodeSelector.bucket(id) >= 10).limit(3).toList();
        String expected = ids.stream().min(Comparator.comparingInt(NodeSelector::bucket)
                .thenComparing(Comparator.naturalOrder())).orElseThrow();
        TestNode[] nodes = new TestNode[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = settled(ids.get(i), 0);
        }
        // the control plane chooses from the fleet every replica records in PostgreSQL
        await().atMost(WAIT).until(() -> db.queryText("SELECT count(*) FROM fleet_nodes WHERE connected AND node_id IN ('"
                + String.join("','", ids) + "')").equals("3"));
        long previous = db.revision();
        Http.Response w = http.post("/api/v1/upstreams?rollout=canary&selector=10%25&bake=10m", "{\"name\":\"pct-new\"}");
        assertThat(w.status()).as(w.body()).isEqualTo(201);
        long revision = w.revisionNumber();
        JsonNode rollout = http.get("/api/v1/rollouts").json().get("data").get(0);
        long id = rollout.get("id").asLong();
        assertThat(rollout.get("selector").asText()).isEqualTo("10%");
        assertThat(rollout.get("fallback_node").asText()).isEqualTo(expected);

        int canaryIndex = ids.indexOf(expected);
        Snapshot got = nodes[canaryIndex].atLeast(revision);
        assertThat(got.getVersion()).isEqualTo(revision);
        nodes[canaryIndex].ack(got);
        await().atMost(WAIT).until(() -> node(expected).get("applied_version").asLong() == revision);
        assertThat(canaries(id)).containsExactly(expected);
        for (int i = 0; i < 3; i++) {
            if (i != canaryIndex) {
                assertThat(nodes[i].snapshots).as(ids.get(i) + " is held back").isEmpty();
            }
        }

        // Reconnects: the canary gets the canary revision again, another node the previous one.
        int otherIndex = (canaryIndex + 1) % 3;
        nodes[canaryIndex].close();
        nodes[otherIndex].close();
        nodes[canaryIndex] = new TestNode(cp.grpcPort()).hello(expected, previous, Map.of());
        // (as a proxy without a disk cache: one that holds the previous revision is sent nothing it lacks)
        nodes[otherIndex] = new TestNode(cp.grpcPort()).hello(ids.get(otherIndex), 0, Map.of());
        assertThat(nodes[canaryIndex].next().getVersion()).isEqualTo(revision);
        assertThat(nodes[otherIndex].next().getVersion()).isEqualTo(previous);
        assertThat(canaries(id)).containsExactly(expected);
        assertThat(node(ids.get(otherIndex)).get("desired_version").asLong()).isEqualTo(previous);

        assertThat(http.post("/api/v1/rollouts/" + id + "/abort", "").status()).isEqualTo(200);
        for (TestNode n : nodes) {
            n.close();
        }
    }

    private List<String> canaries(long id) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode n : http.get("/api/v1/rollouts/" + id).json().get("nodes")) {
            if (n.get("canary").asBoolean()) {
                out.add(n.get("id").asText());
            }
        }
        return out;
    }

    private TestNode settled(String id, long applied) {
        await().atMost(WAIT).until(() -> cp.version() == db.revision());
        TestNode node = new TestNode(cp.grpcPort()).hello(id, applied, Map.of());
        Snapshot s = node.atLeast(db.revision());
        node.ack(s);
        await().atMost(WAIT).until(() -> node(id) != null && node(id).get("applied_version").asLong() == s.getVersion());
        return node;
    }

    private JsonNode node(String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }
}
