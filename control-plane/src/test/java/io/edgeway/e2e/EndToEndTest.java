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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
  * The whole path with every part real: the control plane process on its embedded PostgreSQL, two proxy
  * processes connected over gRPC, two backend HTTP servers, all on loopback. A route written to the admin API
  * must be served by every proxy, changes and deletions must reach all of them, and data must survive a
  * control-plane restart.
  *
  * <p>The platform is started once for the class; each method writes its own upstream and a route for its
  * own host, so it runs alone or in any order (no route is host-less, which would answer every other host).
  */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
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

    @BeforeAll
    void startPlatform() throws Exception {
        alpha = new Backend("alpha");
        beta = new Backend("beta");
        // Fixed ports picked once, so a restarted control plane comes back where the proxies reconnect to.
        adminPort = freePort();
        grpcPort = freePort();
        controlPlane = startControlPlane(dataDir.resolve("control-plane"), adminPort, grpcPort);
        admin = new AdminClient(controlPlane.ready("admin"));
        for (int i = 0; i < 2; i++) {
            proxies.add(startProxy("proxy-" + i, dataDir.resolve("proxy-" + i), dataDir.resolve("control-plane"), grpcPort));
        }
    }

    /** A method that failed while the control plane was down must not fail the next one. */
    @BeforeEach
    void controlPlaneRunning() throws Exception {
        if (!controlPlane.isAlive()) {
            controlPlane = startControlPlane(dataDir.resolve("control-plane"), adminPort, grpcPort);
            admin = new AdminClient(controlPlane.ready("admin"));
        }
    }

    private static JavaProcess startControlPlane(Path dir, int adminPort, int grpcPort) throws Exception {
        return JavaProcess.start("control-plane", "io.edgeway.controlplane.ControlPlane", Map.of(
                "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN,
                "EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE", dir.resolve("bootstrap-join-token").toString(),
                "EDGEWAY_GRPC_ADDRESS", "127.0.0.1",
                "EDGEWAY_ADMIN_PORT", String.valueOf(adminPort),
                "EDGEWAY_GRPC_PORT", String.valueOf(grpcPort)), List.of(), CP_READY);
    }

    /** A proxy that joins over mTLS with the token its control plane (in {@code controlPlaneDir}) wrote, as `./edgeway up` does. */
    private static JavaProcess startProxy(String name, Path dir, Path controlPlaneDir, int grpcPort) throws Exception {
        return JavaProcess.start(name, "io.edgeway.dataplane.DataPlane", Map.of(
                        "EDGEWAY_PROXY_PORT", "0", "EDGEWAY_STATUS_PORT", "0", "EDGEWAY_WORKERS", "1", "EDGEWAY_TLS_PORT", "0",
                        "EDGEWAY_JOIN_TOKEN_FILE", controlPlaneDir.resolve("bootstrap-join-token").toString(),
                        "EDGEWAY_DATA_DIR", dir.toString()),
                List.of("--control-plane", "127.0.0.1:" + grpcPort), DP_READY);
    }

    @AfterAll
    void stopPlatform() throws Exception {
        for (JavaProcess proxy : proxies) proxy.close();
        if (controlPlane != null) controlPlane.close();
        alpha.close();
        beta.close();
    }

    /** An upstream of both backends named {@code name} and a GET route to it for {@code host}; the route's revision. */
    private long upstreamAndRoute(String name, String host, String path) throws Exception {
        AdminClient.Reply upstream = admin.post("/api/v1/upstreams", """
                {"name":"%s","targets":[{"host":"127.0.0.1","port":%d,"weight":1},{"host":"127.0.0.1","port":%d,"weight":1}]}
                """.formatted(name, alpha.port(), beta.port()));
        assertThat(upstream.status()).as("upstream %s", upstream.body()).isEqualTo(201);
        assertThat(upstream.body().get("id").asText()).isNotBlank();
        AdminClient.Reply route = admin.post("/api/v1/routes", """
                {"name":"%s","hosts":["%s"],"paths":["%s"],"methods":["GET"],"upstream":"%s"}
                """.formatted(name, host, path, name));
        assertThat(route.status()).as("route %s", route.body()).isEqualTo(201);
        assertThat(route.revision()).isEqualTo(upstream.revision() + 1);
        return route.revision();
    }

    @Test
    void proxiesOfAFleetWithNoRoutesYetAreReady(@TempDir Path own) throws Exception {
        // An empty store is revision 0. The proxies apply it, so a new autoscaling group passes its load
        // balancer's health checks before anyone has written a route (and is not replaced for failing them).
        // The shared platform has routes by now (or may have), so this fleet is its own: a new store, one proxy.
        int ownGrpc = freePort();
        try (JavaProcess emptyControlPlane = startControlPlane(own.resolve("control-plane"), freePort(), ownGrpc);
             JavaProcess proxy = startProxy("proxy-of-empty", own.resolve("proxy"), own.resolve("control-plane"), ownGrpc)) {
            URI readyz = URI.create("http://127.0.0.1:" + proxy.ready("status") + "/readyz");
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(readyz).build(), BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).isEqualTo("ready version=0\n");
            });
        }
        // They got there over mTLS, each with a certificate of its own from the bootstrap join token.
        await().atMost(CONVERGE).untilAsserted(() -> {
            JsonNode nodes = admin.get("/api/v1/nodes").body().get("data");
            assertThat(nodes).hasSize(proxies.size());
            for (JsonNode n : nodes) {
                assertThat(n.get("identity").asText()).isEqualTo("certificate");
                assertThat(n.get("connected").asBoolean()).isTrue();
            }
        });
    }

    @Test
    void routeWrittenToTheApiIsServedByEveryProxyRoundRobin() throws Exception {
        int alphaBefore = alpha.requests();
        int betaBefore = beta.requests();
        awaitEveryProxyApplied(upstreamAndRoute("round-robin", "rr.example.com", "/"));
        for (JavaProcess proxy : proxies) {
            List<String> servedBy = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = viaProxy(proxy, "rr.example.com", "/cart");
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
        assertThat(alpha.requests() - alphaBefore).isEqualTo(6);
        assertThat(beta.requests() - betaBefore).isEqualTo(6);
    }

    @Test
    void unknownHostGets404() throws Exception {
        // A route for another host is in place, so the 404 is the router's answer, not an empty config's.
        awaitEveryProxyApplied(upstreamAndRoute("known", "known.example.com", "/"));
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "known.example.com", "/").statusCode()).isEqualTo(200);
            assertThat(viaProxy(proxy, "nobody.example.org", "/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void changingTheRoutePathTakesEffectOnEveryProxy() throws Exception {
        awaitEveryProxyApplied(upstreamAndRoute("changed", "changed.example.com", "/"));
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "changed.example.com", "/cart").statusCode()).isEqualTo(200);
        }
        AdminClient.Reply changed = admin.put("/api/v1/routes/changed", """
                {"name":"changed","hosts":["changed.example.com"],"paths":["/v2"],"methods":["GET"],"upstream":"changed"}
                """);
        assertThat(changed.status()).isEqualTo(200);
        awaitEveryProxyApplied(changed.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "changed.example.com", "/v2/items").statusCode()).isEqualTo(200);
            assertThat(viaProxy(proxy, "changed.example.com", "/cart").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void deletingTheRouteTakesEffectOnEveryProxy() throws Exception {
        awaitEveryProxyApplied(upstreamAndRoute("deleted", "deleted.example.com", "/"));
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "deleted.example.com", "/v2/items").statusCode()).isEqualTo(200);
        }
        AdminClient.Reply deleted = admin.delete("/api/v1/routes/deleted");
        assertThat(deleted.status()).isIn(200, 204);
        awaitEveryProxyApplied(deleted.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "deleted.example.com", "/v2/items").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void dataSurvivesAControlPlaneRestartAndProxiesReconnect() throws Exception {
        long before = upstreamAndRoute("survivor", "survivor.example.com", "/");
        awaitEveryProxyApplied(before);

        assertThat(controlPlane.stop()).as("clean exit on SIGTERM").isIn(0, 143);
        controlPlane = startControlPlane(dataDir.resolve("control-plane"), adminPort, grpcPort);
        admin = new AdminClient(controlPlane.ready("admin"));

        AdminClient.Reply upstream = admin.get("/api/v1/upstreams/survivor");
        assertThat(upstream.status()).isEqualTo(200);
        assertThat(upstream.body().get("targets")).hasSize(2);
        awaitEveryProxyApplied(before);

        AdminClient.Reply route = admin.post("/api/v1/routes", """
                {"name":"survivor-again","hosts":["again.example.com"],"paths":["/"],"upstream":"survivor"}
                """);
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.revision()).as("revisions stay gapless across restarts").isEqualTo(before + 1);
        awaitEveryProxyApplied(route.revision());
        for (JavaProcess proxy : proxies) {
            assertThat(viaProxy(proxy, "again.example.com", "/").statusCode()).isEqualTo(200);
            assertThat(viaProxy(proxy, "survivor.example.com", "/").statusCode()).isEqualTo(200);
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
