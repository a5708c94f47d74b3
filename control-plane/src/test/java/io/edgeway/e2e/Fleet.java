package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Starting control-plane and proxy processes and asking them things, shared by the operations tests. */
final class Fleet {
    static final Pattern CP_READY =
            Pattern.compile("edgeway control-plane ready admin=(?<admin>http://\\S+) grpc=\\S+:(?<grpc>\\d+)");
    static final Pattern DP_READY =
            Pattern.compile("edgeway dataplane listening proxy=(?<proxy>\\d+) status=(?<status>\\d+) node=(?<node>\\S+)");
    static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Fleet() {}

    /** A control plane on an external database (so a killed control plane leaves the data where it was). */
    static JavaProcess controlPlane(String dbUrl, int adminPort, int grpcPort, Path dataDir) throws Exception {
        return controlPlane(dbUrl, adminPort, grpcPort, dataDir, Map.of());
    }

    static JavaProcess controlPlane(String dbUrl, int adminPort, int grpcPort, Path dataDir,
            Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "EDGEWAY_DB_URL", dbUrl, "EDGEWAY_DB_USER", "postgres",
                "EDGEWAY_DATA_DIR", dataDir.toString(), "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN,
                "EDGEWAY_ADMIN_PORT", String.valueOf(adminPort),
                "EDGEWAY_GRPC_PORT", String.valueOf(grpcPort),
                // Replicas and restarts on loopback: the explicit insecure setting (EndToEndTest runs the mTLS path).
                "EDGEWAY_GRPC_ADDRESS", "127.0.0.1", "EDGEWAY_GRPC_INSECURE_PLAINTEXT", "true"));
        env.putAll(extraEnv);
        return JavaProcess.start("control-plane", "io.edgeway.controlplane.ControlPlane", env, List.of(), CP_READY);
    }

    static JavaProcess proxy(String name, int grpcPort, Path dataDir, int proxyPort, int statusPort,
            Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "EDGEWAY_PROXY_ADDRESS", "127.0.0.1",
                "EDGEWAY_PROXY_PORT", String.valueOf(proxyPort), "EDGEWAY_STATUS_PORT", String.valueOf(statusPort),
                "EDGEWAY_WORKERS", "1", "EDGEWAY_DATA_DIR", dataDir.toString(), "EDGEWAY_TLS_PORT", "0",
                "EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "true"));
        // These fleets test config, drain and caches, where /readyz right after start must mean "config applied";
        // the warm-up that otherwise holds it (issue 21) has its own tests (proxy-dataplane WarmupTest).
        env.put("EDGEWAY_WARMUP", "off");
        env.putAll(extraEnv);
        return JavaProcess.start(name, "io.edgeway.dataplane.DataPlane", env,
                List.of("--control-plane", "127.0.0.1:" + grpcPort), DP_READY);
    }

    /** One upstream of the given backends and a catch-all route to it; returns the route's revision. */
    static long catchAllRoute(AdminClient admin, String name, Backend... backends) throws Exception {
        StringBuilder targets = new StringBuilder();
        for (Backend b : backends) {
            targets.append(targets.isEmpty() ? "" : ",")
                    .append("{\"host\":\"127.0.0.1\",\"port\":").append(b.port()).append(",\"weight\":1}");
        }
        AdminClient.Reply upstream = admin.post("/api/v1/upstreams",
                "{\"name\":\"" + name + "\",\"targets\":[" + targets + "]}");
        assertThat(upstream.status()).as("upstream %s", upstream.body()).isEqualTo(201);
        AdminClient.Reply route = admin.post("/api/v1/routes",
                "{\"name\":\"" + name + "\",\"paths\":[\"/\"],\"upstream\":\"" + name + "\"}");
        assertThat(route.status()).as("route %s", route.body()).isEqualTo(201);
        return route.revision();
    }

    /** Every given node connected to the control plane and running {@code revision}. */
    static void awaitApplied(AdminClient admin, List<String> nodeIds, long revision) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode nodes = admin.get("/api/v1/nodes").body().get("data");
            for (String id : nodeIds) {
                JsonNode node = node(nodes, id);
                assertThat(node).as("node %s in %s", id, nodes).isNotNull();
                assertThat(node.get("connected").asBoolean()).as("connected %s", node).isTrue();
                assertThat(node.get("applied_version").asLong()).as("applied %s", node).isEqualTo(revision);
            }
        });
    }

    static JsonNode node(JsonNode nodes, String id) {
        for (JsonNode node : nodes) {
            if (node.get("id").asText().equals(id)) {
                return node;
            }
        }
        return null;
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), BodyHandlers.ofString());
    }

    /** A port free right now, never handed out before in this JVM (see {@link FreePorts}). */
    static int freePort() throws IOException {
        return FreePorts.next();
    }
}
