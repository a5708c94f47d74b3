package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.edgeway.controlplane.TestDatabase;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22's canary test with real processes: a control plane and two proxies, one started with
 * EDGEWAY_NODE_LABELS=canary=true. A canary write points the route at a target that answers 500; traffic
 * through the canary proxy fails, its load reports show it, and the control plane rolls the revision back on
 * its own, while the other proxy kept serving the old route and never ran the canary revision.
 */
class CanaryFleetTest {
    @TempDir
    Path dir;

    @Test
    void aCanaryRevisionThatMakesItsNodesAnswer5xxIsRolledBackAndTheOthersNeverRanIt() throws Exception {
        String db = TestDatabase.create(CanaryFleetTest.class).url();
        HttpServer failing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        failing.start();
        int adminPort = Fleet.freePort();
        int grpcPort = Fleet.freePort();
        Map<String, String> fastReports = Map.of("EDGEWAY_LOAD_REPORT_INTERVAL", "200ms");
        try (Backend good = new Backend("good");
             JavaProcess cp = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"),
                     Map.of("EDGEWAY_ROLLOUT_TICK", "200ms"))) {
            AdminClient admin = new AdminClient(cp.ready("admin"));
            Fleet.catchAllRoute(admin, "app", good);
            AdminClient.Reply bad = admin.post("/api/v1/upstreams", "{\"name\":\"bad\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                    + failing.getAddress().getPort() + ",\"weight\":1}]}");
            assertThat(bad.status()).isEqualTo(201);
            long previous = bad.revision();
            int canaryPort = Fleet.freePort();
            int otherPort = Fleet.freePort();
            Map<String, String> canaryEnv = new java.util.HashMap<>(fastReports);
            canaryEnv.put("EDGEWAY_NODE_LABELS", "canary=true,zone=test");
            try (JavaProcess canary = Fleet.proxy("canary", grpcPort, dir.resolve("canary"), canaryPort, Fleet.freePort(), canaryEnv);
                 JavaProcess other = Fleet.proxy("other", grpcPort, dir.resolve("other"), otherPort, Fleet.freePort(), fastReports)) {
                String canaryId = canary.ready("node");
                String otherId = other.ready("node");
                Fleet.awaitApplied(admin, List.of(canaryId, otherId), previous);
                assertThat(Fleet.node(admin.get("/api/v1/nodes").body().get("data"), canaryId).get("labels").get("canary").asText())
                        .isEqualTo("true");

                AdminClient.Reply w = admin.put("/api/v1/routes/app?rollout=canary&bake=10m&min_requests=5",
                        "{\"name\":\"app\",\"paths\":[\"/\"],\"upstream\":\"bad\"}");
                assertThat(w.status()).as("canary write %s", w.body()).isEqualTo(200);
                long revision = w.revision();
                Fleet.awaitApplied(admin, List.of(canaryId), revision);
                long id = admin.get("/api/v1/rollouts").body().get("data").get(0).get("id").asLong();

                Set<Integer> otherStatuses = new HashSet<>();
                Set<Long> otherVersions = new HashSet<>();
                int[] canary5xx = {0};
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    HttpResponse<String> c = Fleet.get(canaryPort, "/x");
                    if (c.statusCode() >= 500) {
                        canary5xx[0]++;
                    }
                    otherStatuses.add(Fleet.get(otherPort, "/x").statusCode());
                    otherVersions.add(Fleet.node(admin.get("/api/v1/nodes").body().get("data"), otherId)
                            .get("applied_version").asLong());
                    return !admin.get("/api/v1/rollouts/" + id).body().get("state").asText().equals("canary");
                });
                JsonNode rollout = admin.get("/api/v1/rollouts/" + id).body();
                assertThat(rollout.get("state").asText()).isEqualTo("rolled_back");
                assertThat(rollout.get("reason").asText()).startsWith("route app: 5xx ratio");
                assertThat(canary5xx[0]).isGreaterThan(0);
                assertThat(otherStatuses).containsExactly(200);
                assertThat(otherVersions).doesNotContain(revision);

                long restored = rollout.get("restored_revision").asLong();
                Fleet.awaitApplied(admin, List.of(canaryId, otherId), restored);
                HttpResponse<String> back = Fleet.get(canaryPort, "/x");
                assertThat(back.statusCode()).isEqualTo(200);
                assertThat(back.body()).startsWith("good");

                // Issue 22: "a good one is promoted". The same proxies, a canary write to a healthy target: served
                // without errors on the canary during the bake, then promoted, then applied and served by the other.
                // max_p99_ratio 1000: this half is about promotion, and a loaded machine's latency must not decide it.
                try (Backend fresh = new Backend("fresh")) {
                    assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"fresh\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                            + fresh.port() + ",\"weight\":1}]}").status()).isEqualTo(201);
                    AdminClient.Reply promotable = admin.put("/api/v1/routes/app?rollout=canary&bake=3s&min_requests=5&max_p99_ratio=1000",
                            "{\"name\":\"app\",\"paths\":[\"/\"],\"upstream\":\"fresh\"}");
                    assertThat(promotable.status()).as("canary write %s", promotable.body()).isEqualTo(200);
                    long goodRevision = promotable.revision();
                    long goodId = admin.get("/api/v1/rollouts").body().get("data").get(0).get("id").asLong();
                    assertThat(goodId).isNotEqualTo(id);
                    Set<Integer> canaryStatuses = new HashSet<>();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                        canaryStatuses.add(Fleet.get(canaryPort, "/y").statusCode());
                        return !admin.get("/api/v1/rollouts/" + goodId).body().get("state").asText().equals("canary");
                    });
                    JsonNode promoted = admin.get("/api/v1/rollouts/" + goodId).body();
                    assertThat(promoted.get("state").asText()).as("%s", promoted).isEqualTo("promoted");
                    assertThat(canaryStatuses).containsExactly(200);
                    Fleet.awaitApplied(admin, List.of(canaryId, otherId), goodRevision);
                    assertThat(Fleet.get(otherPort, "/y").body()).startsWith("fresh");
                    assertThat(Fleet.get(canaryPort, "/y").body()).startsWith("fresh");
                }
            }
        } finally {
            failing.stop(0);
        }
    }
}
