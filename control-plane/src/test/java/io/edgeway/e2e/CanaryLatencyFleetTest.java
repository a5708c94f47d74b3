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
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22's latency signal with real processes: a canary write points the route at a target that answers 200,
 * only slowly. No 5xx anywhere, so only the p99 the canary proxy reports can tell; the control plane rolls the
 * revision back naming the route, while the other proxy kept the fast route and never ran the canary revision.
 */
class CanaryLatencyFleetTest {
    @TempDir
    Path dir;

    @Test
    void aCanaryRevisionThatMakesARouteSlowIsRolledBackByItsP99AndTheOthersNeverRanIt() throws Exception {
        String db = TestDatabase.create(CanaryLatencyFleetTest.class).url();
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.setExecutor(Executors.newFixedThreadPool(4));
        slow.createContext("/", exchange -> {
            try {
                // The target the new revision picks: healthy, and 1.5 s per answer. Far slower than a loaded machine
                // makes the fast route (2 cores shared by several builds can push its p99 to a few hundred ms).
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        slow.start();
        int adminPort = Fleet.freePort();
        int grpcPort = Fleet.freePort();
        Map<String, String> fastReports = Map.of("EDGEWAY_LOAD_REPORT_INTERVAL", "200ms");
        try (Backend good = new Backend("good");
             JavaProcess cp = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"),
                     Map.of("EDGEWAY_ROLLOUT_TICK", "200ms"))) {
            AdminClient admin = new AdminClient(cp.ready("admin"));
            Fleet.catchAllRoute(admin, "app", good);
            AdminClient.Reply added = admin.post("/api/v1/upstreams", "{\"name\":\"slow\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                    + slow.getAddress().getPort() + ",\"weight\":1}]}");
            assertThat(added.status()).isEqualTo(201);
            long previous = added.revision();
            int canaryPort = Fleet.freePort();
            int otherPort = Fleet.freePort();
            Map<String, String> canaryEnv = new java.util.HashMap<>(fastReports);
            canaryEnv.put("EDGEWAY_NODE_LABELS", "canary=true");
            try (JavaProcess canary = Fleet.proxy("canary", grpcPort, dir.resolve("canary"), canaryPort, Fleet.freePort(), canaryEnv);
                 JavaProcess other = Fleet.proxy("other", grpcPort, dir.resolve("other"), otherPort, Fleet.freePort(), fastReports)) {
                String canaryId = canary.ready("node");
                String otherId = other.ready("node");
                Fleet.awaitApplied(admin, List.of(canaryId, otherId), previous);

                AdminClient.Reply w = admin.put("/api/v1/routes/app?rollout=canary&bake=10m&min_requests=5",
                        "{\"name\":\"app\",\"paths\":[\"/\"],\"upstream\":\"slow\"}");
                assertThat(w.status()).as("canary write %s", w.body()).isEqualTo(200);
                long revision = w.revision();
                Fleet.awaitApplied(admin, List.of(canaryId), revision);
                long id = admin.get("/api/v1/rollouts").body().get("data").get(0).get("id").asLong();

                Set<Integer> statuses = new HashSet<>();
                Set<String> otherBodies = new HashSet<>();
                Set<Long> otherVersions = new HashSet<>();
                try {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    statuses.add(Fleet.get(canaryPort, "/x").statusCode());
                    HttpResponse<String> o = Fleet.get(otherPort, "/x");
                    statuses.add(o.statusCode());
                    otherBodies.add(o.body().substring(0, Math.min(4, o.body().length())));
                    otherVersions.add(Fleet.node(admin.get("/api/v1/nodes").body().get("data"), otherId)
                            .get("applied_version").asLong());
                    return !admin.get("/api/v1/rollouts/" + id).body().get("state").asText().equals("canary");
                });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // what the control plane saw, for the report
                    throw new AssertionError("not rolled back; fleet metrics: "
                            + admin.get("/api/v1/metrics/routes?window=5m").body() + " statuses " + statuses, e);
                }
                JsonNode rollout = admin.get("/api/v1/rollouts/" + id).body();
                assertThat(rollout.get("state").asText()).as(rollout.get("reason").asText()).isEqualTo("rolled_back");
                assertThat(rollout.get("reason").asText()).startsWith("route app: p99").contains("2.0x the other nodes'");
                assertThat(statuses).as("no 5xx: latency alone decided").containsExactly(200);
                assertThat(otherBodies).containsExactly("good");
                assertThat(otherVersions).doesNotContain(revision);
            }
        } finally {
            slow.stop(0);
        }
    }
}
