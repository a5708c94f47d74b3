package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.RouteLoad;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Latency as a canary signal (issue 22): simulated proxies on real gRPC streams send the same load reports a
 * proxy sends (issue 16's fleet metrics), and the watcher compares each route's p99 on the canary nodes with
 * the other nodes', or with the canaries' own before the rollout.
 */
class RolloutLatencyTest extends RunningControlPlane {
    private static final Map<String, String> CANARY = Map.of("canary", "true");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The proxy's bucket bounds (seconds), +Inf implied last. */
    private static final List<Double> BOUNDS = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);

    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("EDGEWAY_ROLLOUT_TICK", "100ms");
        return env;
    }

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
    void aRouteSlowerOnTheCanariesThanOnTheOthersRollsBackNamingTheRouteAndTheFigures() throws Exception {
        try (TestNode canary = settled("slow-canary", CANARY); TestNode other = settled("slow-other", Map.of())) {
            http.post("/api/v1/upstreams?rollout=canary&bake=10m&min_requests=20&max_p99_ratio=3", "{\"name\":\"slow-one\"}");
            canary.ack(canary.next());
            long id = newestRollout().get("id").asLong();
            assertThat(newestRollout().get("max_p99_ratio").asDouble()).isEqualTo(3.0);
            // 200 requests within 10-25 ms on the others, 100 within 500 ms-1 s on the canary: no 5xx anywhere.
            other.send(report("slow-route", 200, 2));
            canary.send(report("slow-route", 100, 7));
            await().atMost(WAIT).until(() -> rollout(id).get("state").asText().equals("rolled_back"));
            String reason = rollout(id).get("reason").asText();
            assertThat(reason).contains("route slow-route").contains("p99").contains("100 requests")
                    .contains("200 requests").contains("3.0x the other nodes'");
        }
    }

    @Test
    void withoutTrafficOnTheOthersTheCanariesOwnBaselineDecides() throws Exception {
        try (TestNode canary = settled("base-canary", CANARY)) {
            canary.send(report("base-route", 50, 1));
            awaitReported("base-route", 50);
            http.post("/api/v1/upstreams?rollout=canary&bake=10m&min_requests=20", "{\"name\":\"base-one\"}");
            canary.ack(canary.next());
            long id = newestRollout().get("id").asLong();
            canary.send(report("base-route", 50, 6));
            await().atMost(WAIT).until(() -> rollout(id).get("state").asText().equals("rolled_back"));
            assertThat(rollout(id).get("reason").asText()).contains("route base-route")
                    .contains("the canary nodes' own before the rollout").contains("2.0x");
        }
    }

    @Test
    void aQuietSlowRouteAndAnEquallySlowOneDoNotStopThePromotion() throws Exception {
        try (TestNode canary = settled("quiet-canary", CANARY); TestNode other = settled("quiet-other", Map.of())) {
            http.post("/api/v1/upstreams?rollout=canary&bake=4s&min_requests=20", "{\"name\":\"quiet-one\"}");
            canary.ack(canary.next());
            long id = newestRollout().get("id").asLong();
            other.send(report("quiet-route", 200, 1));
            canary.send(report("quiet-route", 19, 8)); // slow, but one request short of min_requests
            other.send(report("slow-everywhere", 100, 7));
            canary.send(report("slow-everywhere", 100, 7)); // slow on every node: not the new revision's doing
            awaitReported("quiet-route", 219);
            awaitReported("slow-everywhere", 200);
            // The reports were in before the bake ended, so the promotion below was decided with them.
            assertThat(rollout(id).get("state").asText()).isEqualTo("canary");
            await().atMost(WAIT).until(() -> !rollout(id).get("state").asText().equals("canary"));
            assertThat(rollout(id).get("state").asText()).as(rollout(id).get("reason").asText()).isEqualTo("promoted");
            assertThat(rollout(id).get("reason").asText()).contains("p99 over 2.0x");
        }
    }

    @Test
    void aBadMaxP99RatioIsRefused() {
        long before = db.revision();
        for (String bad : List.of("0.5", "abc", "1001", "-2", "NaN", "1e3")) {
            Http.Response r = http.post("/api/v1/upstreams?rollout=canary&max_p99_ratio=" + bad, "{\"name\":\"never\"}");
            assertThat(r.status()).as(bad + " " + r.body()).isEqualTo(400);
            assertThat(r.body()).contains("max_p99_ratio");
        }
        assertThat(db.revision()).isEqualTo(before);
    }

    /** {@code requests} requests of {@code route}, all in bucket {@code bucket} (0 = under 5 ms). */
    private static NodeMessage report(String route, long requests, int bucket) {
        RouteLoad.Builder load = RouteLoad.newBuilder().setRoute(route).setRequests(requests);
        for (int i = 0; i <= BOUNDS.size(); i++) {
            load.addDurationBuckets(i == bucket ? requests : 0);
        }
        return NodeMessage.newBuilder().setLoad(LoadReport.newBuilder().setIntervalMs(1000)
                .addAllBucketBounds(BOUNDS).addRoutes(load)).build();
    }

    private void awaitReported(String route, long requests) {
        await().atMost(WAIT).until(() -> {
            for (JsonNode r : http.get("/api/v1/metrics/routes?window=15m").json().get("data")) {
                if (r.get("route").asText().equals(route)) {
                    return r.get("requests").asLong() == requests;
                }
            }
            return false;
        });
    }

    private TestNode settled(String id, Map<String, String> labels) {
        await().atMost(WAIT).until(() -> cp.version() == db.revision());
        TestNode node = new TestNode(cp.grpcPort()).hello(id, 0, labels);
        Snapshot s = node.atLeast(db.revision());
        node.ack(s);
        await().atMost(WAIT).until(() -> appliedVersion(id) == s.getVersion());
        return node;
    }

    private long appliedVersion(String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n.get("applied_version").asLong();
            }
        }
        return -1;
    }

    private JsonNode newestRollout() {
        return http.get("/api/v1/rollouts").json().get("data").get(0);
    }

    private JsonNode rollout(long id) {
        return http.get("/api/v1/rollouts/" + id).json();
    }
}
