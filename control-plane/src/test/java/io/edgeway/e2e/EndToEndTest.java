package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
  * The whole path with every part real: the control plane process on its embedded PostgreSQL, two proxy
  * processes connected over gRPC, two backend HTTP servers, all on loopback. A route written to the admin API
  * must be served by every proxy, changes and deletions must reach all of them, and data must survive a
  * control-plane restart.
  */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class EndToEndTest {
    private static final Pattern CP_READY =
            Pattern.compile("edgeway control-plane ready admin=(?<admin>http://\\S+) grpc=\\S+:(?<grpc>\\d+)");
    private static final Pattern DP_READY =
            Pattern.compile("edgeway dataplane listening proxy=(?<proxy>\\d+) status=(?<status>\\d+) node=(?<node>\\S+)");
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir static Path dataDir;
    // HTTP/1.1: the tests set Host to a name other than the address, which HTTP/2 treats as malformed.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<JavaProcess> proxies = new ArrayList<>();
    private Backend alpha;
    private Backend beta;
    private int adminPort;
    private int grpcPort;
    private JavaProcess controlPlane;
    private AdminClient admin;
    private long lastRevision;

    @BeforeAll
    void startPlatform() throws Exception {
        alpha = new Backend("alpha");
        beta = new Backend("beta");
        // Fixed ports picked once, so a restarted control plane comes back where the proxies reconnect to.
        adminPort = freePort();
        grpcPort = freePort();
        startControlPlane();
        for (int i = 0; i < 2; i++) {
            proxies.add(JavaProcess.start("proxy-" + i, "io.edgeway.dataplane.DataPlane", Map.of(
                            "EDGEWAY_PROXY_PORT", "0", "EDGEWAY_STATUS_PORT", "0", "EDGEWAY_WORKERS", "1", "EDGEWAY_TLS_PORT", "0",
                            "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN,
                "EDGEWAY_DATA_DIR", dataDir.resolve("proxy-" + i).toString()),
                    List.of("--control-plane", "127.0.0.1:" + grpcPort), DP_READY));
        }
    }

    private void startControlPlane() throws Exception {
        controlPlane = JavaProcess.start("control-plane", "io.edgeway.controlplane.ControlPlane", Map.of(
                "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN,
                "EDGEWAY_DATA_DIR", dataDir.resolve("control-plane").toString(),
                "EDGEWAY_ADMIN_PORT", String.valueOf(adminPort),
                "EDGEWAY_GRPC_PORT", String.valueOf(grpcPort)), List.of(), CP_READY);
        admin = new AdminClient(controlPlane.ready("admin"));
    }

    @AfterAll
    void stopPlatform() throws Exception {
        for (JavaProcess proxy : proxies) proxy.close();
        if (controlPlane != null) controlPlane.close();
        alpha.close();
        beta.close();
    }

    @Test
    @Order(0)
    void proxiesOfAFleetWithNoRoutesYetAreReady() {
        // An empty store is revision 0. The proxies apply it, so a new autoscaling group passes its load
        // balancer's health checks before anyone has written a route (and is not replaced for failing them).
        for (JavaProcess proxy : proxies) {
            URI readyz = URI.create("http://127.0.0.1:" + proxy.ready("status") + "/readyz");
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(readyz).build(), BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).isEqualTo("ready version=0\n");
            });
        }
    }

    @Test
    @Order(1)
    void routeWrittenToTheApiIsServedByEveryProxyRoundRobin() throws Exception {
        AdminClient.Reply upstream = admin.post("/api/v1/upstreams", """
                {"name":"shop","targets":[{"host":"127.0.0.1","port":%d,"weight":1},{"host":"127.0.0.1","port":%d,"weight":1}]}
                """.formatted(alpha.port(), beta.port()));
        assertThat(upstream.status()).isEqualTo(201);
        assertThat(upstream.body().get("id").asText()).isNotBlank();
        AdminClient.Reply route = admin.post("/api/v1/routes", """
                {"name":"shop","hosts":["shop.example.com"],"paths":["/"],"methods":["GET"],"upstream":"shop"}
                """);
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.revision()).isEqualTo(upstream.revision() + 1);

        awaitEveryProxyApplied(route.revision());
        for (JavaProcess proxy : proxies) {
            List<String> servedBy = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = viaProxy(proxy, "shop.example.com", "/cart");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).endsWith(" /cart");
                assertThat(response.headers().firstValue("X-Seen-Forwarded-For")).hasValue("127.0.0.1");
                servedBy.add(response.headers().firstValue("X-Backend").orElseThrow());
            }
            for (int i = 1; i < servedBy.size(); i++) {
                assertThat(servedBy.get(i)).as("round robin takes the targets in turn: %s", servedBy)
                        .isNotEqualTo(servedBy.get(i - 1));
            }
        }
        assertThat(alpha.requests()).isGreaterThanOrEqualTo(6);
        assertThat(beta.requests()).isGreaterThanOrEqualTo(6);
    }

    @Test
    @Order(2)
    void unknownHostGets404() throws Exception {
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "nobody.example.org", "/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    @Order(3)
    void changingTheRoutePathTakesEffectOnEveryProxy() throws Exception {
        AdminClient.Reply changed = admin.put("/api/v1/routes/shop", """
                {"name":"shop","hosts":["shop.example.com"],"paths":["/v2"],"methods":["GET"],"upstream":"shop"}
                """);
        assertThat(changed.status()).isEqualTo(200);
        awaitEveryProxyApplied(changed.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "shop.example.com", "/v2/items").statusCode()).isEqualTo(200);
            assertThat(viaProxy(proxy, "shop.example.com", "/cart").statusCode()).isEqualTo(404);
        }
    }

    @Test
    @Order(4)
    void deletingTheRouteTakesEffectOnEveryProxy() throws Exception {
        AdminClient.Reply deleted = admin.delete("/api/v1/routes/shop");
        assertThat(deleted.status()).isIn(200, 204);
        awaitEveryProxyApplied(deleted.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "shop.example.com", "/v2/items").statusCode()).isEqualTo(404);
        }
        lastRevision = deleted.revision();
    }

    @Test
    @Order(5)
    void dataSurvivesAControlPlaneRestartAndProxiesReconnect() throws Exception {
        assertThat(controlPlane.stop()).as("clean exit on SIGTERM").isIn(0, 143);
        startControlPlane();

        AdminClient.Reply upstreams = admin.get("/api/v1/upstreams");
        assertThat(upstreams.body().get("data")).hasSize(1);
        assertThat(upstreams.body().get("data").get(0).get("name").asText()).isEqualTo("shop");
        awaitEveryProxyApplied(lastRevision);

        AdminClient.Reply route = admin.post("/api/v1/routes", """
                {"name":"shop-again","paths":["/"],"upstream":"shop"}
                """);
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.revision()).as("revisions stay gapless across restarts").isEqualTo(lastRevision + 1);
        awaitEveryProxyApplied(route.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "any.example.net", "/").statusCode()).isEqualTo(200);
        }
    }

    private void awaitEveryProxyApplied(long revision) {
        List<String> nodeIds = proxies.stream().map(p -> p.ready("node")).toList();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            var nodes = admin.get("/api/v1/nodes").body().get("data");
            for (String id : nodeIds) {
                var node = findNode(nodes, id);
                assertThat(node).as("node %s in %s", id, nodes).isNotNull();
                assertThat(node.get("connected").asBoolean()).isTrue();
                assertThat(node.get("applied_version").asLong()).isEqualTo(revision);
            }
        });
    }

    private static JsonNode findNode(JsonNode nodes, String id) {
        for (var node : nodes) {
            if (node.get("id").asText().equals(id)) return node;
        }
        return null;
    }

    private HttpResponse<String> viaProxy(JavaProcess proxy, String host, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.ready("proxy") + path);
        HttpRequest request = HttpRequest.newBuilder(uri).header("Host", host)
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
