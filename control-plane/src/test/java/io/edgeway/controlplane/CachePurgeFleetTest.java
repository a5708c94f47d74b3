package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.dataplane.DataPlane;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fleet-wide purge end to end: a real control plane, two real proxies caching one route in front of a real
 * target, and purges by URL, prefix and tag that both proxies apply, as the purge's ledger then says.
 */
class CachePurgeFleetTest extends RunningControlPlane {
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<DataPlane> proxies = new ArrayList<>();
    final Map<String, AtomicInteger> arrived = new ConcurrentHashMap<>();
    HttpServer target;

    @AfterEach
    void stopAll() {
        proxies.forEach(DataPlane::close);
        if (target != null) {
            target.stop(0);
        }
    }

    /** The Cache-Status of GET path through {@code dp}. */
    String get(DataPlane dp, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", "shop.test").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("cache-status").orElse("");
    }

    int arrivals(String path) {
        AtomicInteger n = arrived.get(path);
        return n == null ? 0 : n.get();
    }

    void warm(String... paths) throws Exception {
        for (DataPlane dp : proxies) {
            for (String p : paths) {
                get(dp, p);
                assertThat(get(dp, p)).isEqualTo("edgeway; hit");
            }
        }
    }

    /** Purges with ?wait=applied; returns the purge's id after checking its ledger names both proxies as applied. */
    long purge(String body) {
        Response r = http.post("/api/v1/cache/purge?wait=applied", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("convergence").path("applied")).hasSize(2);
        long id = r.json().path("id").asLong();
        JsonNode ledger = http.get("/api/v1/cache/purges/" + id).json();
        List<String> applied = new ArrayList<>();
        ledger.path("applied").forEach(n -> applied.add(n.asText()));
        assertThat(applied).containsExactlyInAnyOrder("edge-a", "edge-b");
        assertThat(ledger.path("pending")).isEmpty();
        return id;
    }

    @Test
    void purgesByUrlPrefixAndTagReachBothProxies() throws Exception {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        target.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            arrived.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = path.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Cache-Control", "max-age=600");
            ex.getResponseHeaders().set("Cache-Tag", path.startsWith("/t/1") ? "product-42, shoes" : "other");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"origin\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + target.getAddress().getPort() + ",\"weight\":1}]}").status()).isEqualTo(201);
        long revision = http.post("/api/v1/routes", "{\"name\":\"shop\",\"hosts\":[\"shop.test\"],\"upstream\":\"origin\","
                + "\"cache\":{\"enabled\":true}}").revisionNumber();
        Path dir = Files.createTempDirectory("cache-purge");
        for (String id : new String[] {"edge-a", "edge-b"}) {
            proxies.add(DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), dir.resolve(id)).withNodeId(id)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> proxies.stream().allMatch(p -> p.appliedVersion() >= revision));
        warm("/x", "/keep", "/p/1", "/p/2", "/t/1", "/t/2");

        long byUrl = purge("{\"url\":\"http://shop.test/x\"}");
        for (DataPlane dp : proxies) {
            assertThat(get(dp, "/x")).isEqualTo("edgeway; fwd=uri-miss; stored");
            assertThat(get(dp, "/keep")).isEqualTo("edgeway; hit");
        }
        assertThat(arrivals("/x")).isEqualTo(4); // two warm-ups, two after the purge

        long byPrefix = purge("{\"prefix\":\"https://SHOP.test/p/\"}");
        assertThat(byPrefix).isGreaterThan(byUrl);
        for (DataPlane dp : proxies) {
            assertThat(get(dp, "/p/1")).startsWith("edgeway; fwd=uri-miss");
            assertThat(get(dp, "/p/2")).startsWith("edgeway; fwd=uri-miss");
            assertThat(get(dp, "/t/1")).isEqualTo("edgeway; hit");
        }

        purge("{\"tag\":\"product-42\"}");
        for (DataPlane dp : proxies) {
            assertThat(get(dp, "/t/1")).startsWith("edgeway; fwd=uri-miss");
            assertThat(get(dp, "/t/2")).isEqualTo("edgeway; hit");
        }
    }

    @Test
    void badPurgesAreRefusedNamingTheField() {
        assertThat(http.post("/api/v1/cache/purge", "{\"url\":\"ftp://shop.test/x\"}").body()).contains("url");
        assertThat(http.post("/api/v1/cache/purge", "{\"url\":\"ftp://shop.test/x\"}").status()).isEqualTo(422);
        assertThat(http.post("/api/v1/cache/purge", "{\"url\":\"http://a/x\",\"tag\":\"t\"}").status()).isEqualTo(422);
        assertThat(http.post("/api/v1/cache/purge", "{\"tag\":\"two words\"}").status()).isEqualTo(422);
        assertThat(http.post("/api/v1/cache/purge", "{\"host\":\"a\"}").body()).contains("host");
        assertThat(http.get("/api/v1/cache/purges/999999").status()).isEqualTo(404);
    }
}
