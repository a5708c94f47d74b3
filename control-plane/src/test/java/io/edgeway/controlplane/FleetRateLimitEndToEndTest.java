package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.edgeway.dataplane.DataPlane;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet-scoped rate limit end to end (issue 18): a real control plane, two real proxies and a real target.
 * The limit is 10 per hour with a burst of 10, so within the test nothing refills and the counts are exact.
 * The README's bound for N proxies is burst + (N - 1) + rate x T over any window T; with N = 2 and no
 * refill, at most 11 of the requests of one key may pass in total, however they are spread.
 */
class FleetRateLimitEndToEndTest extends RunningControlPlane {
    static final int LIMIT = 10;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<DataPlane> proxies = new ArrayList<>();
    HttpServer target;

    @AfterEach
    void stopAll() {
        proxies.forEach(DataPlane::close);
        if (target != null) {
            target.stop(0);
        }
    }

    /** How many of {@code n} requests with key {@code key} got through {@code dp} (the others must be 429). */
    static int admitted(DataPlane dp, String key, int n) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                    .header("Host", "api.test").header("X-Client", key).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
            ok += r.statusCode() == 200 ? 1 : 0;
        }
        return ok;
    }

    @Test
    void twoProxiesKeepTheSumWithinTheBoundAndTheSurvivorTakesTheWholeLimit() throws Exception {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        target.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        target.start();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"api\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + target.getAddress().getPort() + ",\"weight\":1}]}").status()).isEqualTo(201);
        long revision = http.post("/api/v1/routes", "{\"name\":\"api\",\"hosts\":[\"api.test\"],\"upstream\":\"api\","
                + "\"rate_limit\":{\"requests\":" + LIMIT + ",\"per\":\"1h\",\"burst\":" + LIMIT
                + ",\"by\":\"header:X-Client\",\"scope\":\"fleet\"}}").revisionNumber();
        Path dir = Files.createTempDirectory("fleet-rate-limit");
        for (String id : new String[] {"edge-a", "edge-b"}) {
            proxies.add(DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), dir.resolve(id)).withNodeId(id)));
        }
        DataPlane a = proxies.get(0);
        DataPlane b = proxies.get(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> proxies.stream().allMatch(p -> p.appliedVersion() >= revision));
        // what the control plane sent, not what the test told them
        await().atMost(Duration.ofSeconds(20)).until(() -> a.rateLimits().fleetShare() == 2 && b.rateLimits().fleetShare() == 2);

        // One client, 15 requests to each proxy: each proxy holds half of the limit.
        int viaA = admitted(a, "client-1", 15);
        int viaB = admitted(b, "client-1", 15);
        assertThat(viaA + viaB).isLessThanOrEqualTo(LIMIT + 1).isEqualTo(LIMIT);
        // A client all on one proxy gets that proxy's half: the bound is a ceiling, not a promise.
        assertThat(admitted(a, "client-2", 15)).isEqualTo(LIMIT / 2);

        b.close(); // leaves the fleet: the survivor's share grows to the whole limit
        await().atMost(Duration.ofSeconds(20)).until(() -> a.rateLimits().fleetShare() == 1);
        assertThat(admitted(a, "client-3", 15)).isEqualTo(LIMIT);
    }
}
