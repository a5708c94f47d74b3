package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Canary rollouts against a real control plane on real PostgreSQL, with simulated proxies on real gRPC streams:
 * the canary revision reaches only the labelled nodes, the others stay on the previous revision until it is
 * promoted, and a rollback brings the previous content back as a new revision the others were never without.
 */
class RolloutTest extends RunningControlPlane {
    private static final Map<String, String> CANARY = Map.of("canary", "true");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("EDGEWAY_ROLLOUT_TICK", "100ms");
        return env;
    }

    /** Each test leaves no rollout open for the next. */
    @AfterEach
    void closeOpenRollout() {
        for (JsonNode r : http.get("/api/v1/rollouts").json().get("data")) {
            String state = r.get("state").asText();
            if (state.equals("canary") || state.equals("paused")) {
                http.post("/api/v1/rollouts/" + r.get("id").asLong() + "/abort", "");
            }
        }
    }

    @Test
    void aCanaryWriteReachesOnlyTheLabelledNodesAndTheLedgerShowsBothVersions() throws Exception {
        try (TestNode canary = settled("only-canary", CANARY); TestNode other = settled("only-other", Map.of())) {
            long previous = db.revision();
            Http.Response w = http.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"only-new\"}");
            assertThat(w.status()).as(w.body()).isEqualTo(201);
            long revision = w.revisionNumber();
            Snapshot got = canary.next();
            assertThat(got.getVersion()).isEqualTo(revision);
            canary.ack(got);

            JsonNode rollout = newestRollout();
            assertThat(rollout.get("state").asText()).isEqualTo("canary");
            assertThat(rollout.get("revision").asLong()).isEqualTo(revision);
            assertThat(rollout.get("previous_revision").asLong()).isEqualTo(previous);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode c = node("only-canary");
                JsonNode o = node("only-other");
                assertThat(c.get("applied_version").asLong()).isEqualTo(revision);
                assertThat(c.get("desired_version").asLong()).isEqualTo(revision);
                assertThat(c.get("canary").asBoolean()).isTrue();
                assertThat(o.get("applied_version").asLong()).isEqualTo(previous);
                assertThat(o.get("desired_version").asLong()).isEqualTo(previous);
                assertThat(o.get("canary").asBoolean()).isFalse();
            });

            // Sent to both at once if it were sent to both: by now the canary has had it for a while.
            assertThat(other.snapshots).as("snapshots sent to the non-canary node during the rollout").isEmpty();

            Http.Response p = http.post("/api/v1/rollouts/" + rollout.get("id").asLong() + "/promote", "");
            assertThat(p.status()).as(p.body()).isEqualTo(200);
            assertThat(p.json().get("state").asText()).isEqualTo("promoted");
            // The first snapshot the other node got since it settled is the promoted revision: it never ran anything else.
            assertThat(other.next().getVersion()).isEqualTo(revision);
        }
    }

    @Test
    void aRolloutWhoseCanariesAckIsPromotedAtTheEndOfItsBake() throws Exception {
        try (TestNode canary = settled("bake-canary", CANARY); TestNode other = settled("bake-other", Map.of())) {
            long revision = http.post("/api/v1/upstreams?rollout=canary&bake=500ms", "{\"name\":\"baked\"}").revisionNumber();
            canary.ack(canary.next());
            long id = newestRollout().get("id").asLong();
            await().atMost(WAIT).until(() -> rollout(id).get("state").asText().equals("promoted"));
            assertThat(rollout(id).get("reason").asText()).startsWith("baked");
            assertThat(other.next().getVersion()).isEqualTo(revision);
        }
    }

    @Test
    void aNackFromACanaryRollsBackWithItsReasonAndTheOthersNeverSeeTheRevision() throws Exception {
        try (TestNode canary = settled("nack-canary", CANARY); TestNode other = settled("nack-other", Map.of())) {
            long revision = http.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"refused-by-canary\"}")
                    .revisionNumber();
            Snapshot bad = canary.next();
            assertThat(bad.getVersion()).isEqualTo(revision);
            canary.nack(bad, "host does not resolve");
            long id = newestRollout().get("id").asLong();
            await().atMost(WAIT).until(() -> rollout(id).get("state").asText().equals("rolled_back"));
            JsonNode r = rollout(id);
            assertThat(r.get("reason").asText()).contains("nack-canary").contains("host does not resolve");
            long restored = r.get("restored_revision").asLong();
            assertThat(restored).isGreaterThan(revision);
            // The others' next snapshot is the restoring revision, without the refused upstream.
            Snapshot next = other.next();
            assertThat(next.getVersion()).isEqualTo(restored);
            assertThat(next.getUpstreamsList()).noneMatch(u -> u.getName().equals("refused-by-canary"));
            Snapshot back = canary.next();
            assertThat(back.getVersion()).isEqualTo(restored);
            assertThat(back.getUpstreamsList()).noneMatch(u -> u.getName().equals("refused-by-canary"));
            assertThat(http.get("/api/v1/upstreams/refused-by-canary").status()).isEqualTo(404);
        }
    }

    @Test
    void pauseHoldsTheBakeAndPromoteOrAbortByHandEndIt() throws Exception {
        try (TestNode canary = settled("hand-canary", CANARY); TestNode other = settled("hand-other", Map.of())) {
            http.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"by-hand\"}");
            canary.ack(canary.next());
            long id = newestRollout().get("id").asLong();
            Http.Response paused = http.post("/api/v1/rollouts/" + id + "/pause", "");
            assertThat(paused.json().get("state").asText()).isEqualTo("paused");
            assertThat(paused.json().get("bake_until").isNull()).isTrue();
            assertThat(http.post("/api/v1/rollouts/" + id + "/pause", "").status()).isEqualTo(409);
            Http.Response resumed = http.post("/api/v1/rollouts/" + id + "/resume", "");
            assertThat(resumed.json().get("state").asText()).isEqualTo("canary");

            Http.Response aborted = http.post("/api/v1/rollouts/" + id + "/abort", "");
            assertThat(aborted.status()).as(aborted.body()).isEqualTo(200);
            assertThat(aborted.json().get("state").asText()).isEqualTo("aborted");
            assertThat(aborted.json().get("reason").asText()).startsWith("aborted by");
            long restored = aborted.json().get("restored_revision").asLong();
            assertThat(other.next().getVersion()).isEqualTo(restored);
            assertThat(canary.next().getVersion()).isEqualTo(restored);
            assertThat(http.get("/api/v1/upstreams/by-hand").status()).isEqualTo(404);
            assertThat(http.post("/api/v1/rollouts/" + id + "/promote", "").status()).isEqualTo(409);
        }
    }

    @Test
    void whileARolloutIsOpenOtherWritesAreRefused() {
        long revision = http.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"first-canary\"}").revisionNumber();
        Http.Response second = http.post("/api/v1/upstreams?rollout=canary", "{\"name\":\"second-canary\"}");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.body()).contains("revision " + revision);
        Http.Response plain = http.post("/api/v1/upstreams", "{\"name\":\"plain\"}");
        assertThat(plain.status()).isEqualTo(409);
        assertThat(db.revision()).isEqualTo(revision);
        long id = newestRollout().get("id").asLong();
        assertThat(http.post("/api/v1/rollouts/" + id + "/abort", "").status()).isEqualTo(200);
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"plain\"}").status()).isEqualTo(201);
    }

    @Test
    void badRolloutParametersAreRefusedBeforeAnythingIsWritten() {
        long before = db.revision();
        for (String query : java.util.List.of("rollout=blue", "rollout=canary&bake=0s", "rollout=canary&bake=25h",
                "rollout=canary&selector=%3Dtrue", "rollout=canary&selector=101%25", "rollout=canary&selector=a%3Db%2Ca%3Dc",
                "rollout=canary&max_error_ratio=1.5", "rollout=canary&max_error_ratio=NaN", "rollout=canary&min_requests=0",
                "selector=canary%3Dtrue", "bake=1s")) {
            Http.Response r = http.post("/api/v1/upstreams?" + query, "{\"name\":\"never\"}");
            assertThat(r.status()).as(query + " " + r.body()).isEqualTo(400);
        }
        assertThat(db.revision()).isEqualTo(before);
        assertThat(http.get("/api/v1/rollouts/x").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/rollouts/999999").status()).isEqualTo(404);
    }

    private TestNode settled(String id, Map<String, String> labels) {
        await().atMost(WAIT).until(() -> cp.version() == db.revision());
        TestNode node = new TestNode(cp.grpcPort()).hello(id, 0, labels);
        Snapshot s = node.next();
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

    private JsonNode newestRollout() {
        return http.get("/api/v1/rollouts").json().get("data").get(0);
    }

    private JsonNode rollout(long id) {
        return http.get("/api/v1/rollouts/" + id).json();
    }
}
