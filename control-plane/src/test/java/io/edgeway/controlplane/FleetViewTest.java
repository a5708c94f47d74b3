package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.edgeway.dataplane.DataPlane;
import io.edgeway.dataplane.accesslog.AccessLogSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet view end to end: three real proxies report their load on their streams, and the control plane
 * answers per route across them (GET /api/v1/metrics/routes) and per node (GET /api/v1/nodes), with the exact
 * request counts each was given.
 */
class FleetViewTest extends RunningControlPlane {
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<DataPlane> proxies = new ArrayList<>();
    HttpServer backend;

    @AfterEach
    void stopAll() {
        proxies.forEach(DataPlane::close);
        if (backend != null) {
            backend.stop(0);
        }
    }

    int get(DataPlane dp, String host) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void routesAcrossTheFleetAndEachNodesLoad() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 2);
            ex.getResponseBody().write("ok".getBytes());
            ex.close();
        });
        backend.start();
        int dead = FreePorts.refused();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"live\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + backend.getAddress().getPort() + ",\"weight\":1}]}").status()).isEqualTo(201);
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"gone\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + dead + ",\"weight\":1}]}").status()).isEqualTo(201);
        assertThat(http.post("/api/v1/routes", "{\"name\":\"shop\",\"hosts\":[\"shop.test\"],\"upstream\":\"live\"}").status()).isEqualTo(201);
        long revision = http.post("/api/v1/routes", "{\"name\":\"old\",\"hosts\":[\"old.test\"],\"upstream\":\"gone\"}").revisionNumber();

        Path dir = Files.createTempDirectory("fleet-view");
        for (String id : new String[] {"edge-1", "edge-2", "edge-3"}) {
            proxies.add(DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), dir.resolve(id)).withNodeId(id)
                    .withObservability(new io.edgeway.dataplane.Settings.Observability(AccessLogSettings.OFF, true,
                            Duration.ofMillis(200)))));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> proxies.stream().allMatch(p -> p.appliedVersion() >= revision));
        // Known loads: edge-1 10 x shop; edge-2 20 x shop and 5 x old (502); edge-3 nothing.
        for (int i = 0; i < 10; i++) {
            assertThat(get(proxies.get(0), "shop.test")).isEqualTo(200);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(get(proxies.get(1), "shop.test")).isEqualTo(200);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(get(proxies.get(1), "old.test")).isEqualTo(502);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> route("shop") != null && route("shop").get("requests").asLong() == 30
                && route("old") != null && route("old").get("requests").asLong() == 5);
        JsonNode shop = route("shop");
        assertThat(shop.get("errors_5xx").asLong()).isZero();
        assertThat(shop.get("nodes").asInt()).isEqualTo(2);
        assertThat(shop.get("p99_s").asDouble()).isPositive();
        assertThat(shop.get("requests_per_s").asDouble()).isEqualTo(30 / 300.0);
        JsonNode old = route("old");
        assertThat(old.get("errors_5xx").asLong()).isEqualTo(5);
        assertThat(old.get("nodes").asInt()).isEqualTo(1);

        Map<String, JsonNode> nodes = new HashMap<>();
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            nodes.put(n.get("id").asText(), n.get("load"));
        }
        assertThat(nodes.get("edge-1").get("requests").asLong()).isEqualTo(10);
        assertThat(nodes.get("edge-2").get("requests").asLong()).isEqualTo(25);
        assertThat(nodes.get("edge-2").get("errors_5xx").asLong()).isEqualTo(5);
        assertThat(nodes.get("edge-3").get("requests").asLong()).isZero();

        assertThat(http.get("/api/v1/metrics/routes?window=16m").status()).isEqualTo(422);
        assertThat(http.get("/api/v1/metrics/routes?window=soon").status()).isEqualTo(422);
        assertThat(http.get("/api/v1/metrics/routes?window=1m").json().get("window_s").asInt()).isEqualTo(60);
    }

    JsonNode route(String name) {
        for (JsonNode r : http.get("/api/v1/metrics/routes?window=5m").json().get("data")) {
            if (r.get("route").asText().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
