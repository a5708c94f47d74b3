package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet-scoped limit (10 per hour, burst 10) on two proxies told by the control plane's FleetShare that
 * they are two: each allows its half, so the fleet's sum stays within the limit however the traffic is
 * spread; a proxy-scoped limit allows the full burst on each proxy (N times the limit, as documented).
 */
class FleetRateLimitTest {
    @TempDir
    static Path dir1;
    @TempDir
    static Path dir2;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane a;
    static DataPlane b;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        a = DataPlane.start(Settings.forTest(cp.port(), dir1));
        b = DataPlane.start(Settings.forTest(cp.port(), dir2));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(route("fleet", "fleet.test", true))
                .addRoutes(route("local", "local.test", false))
                .build(), a, b);
        cp.fleetShare(2);
        await().until(() -> a.rateLimits().fleetShare() == 2 && b.rateLimits().fleetShare() == 2);
    }

    static Route route(String name, String host, boolean fleet) {
        return Route.newBuilder().setName(name).addHosts(host).setUpstream("t")
                .setRateLimit(RouteRateLimit.newBuilder().setRequests(10).setPerMs(3_600_000).setBurst(10)
                        .setBy("route").setFleet(fleet)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(a, b, backend, cp);
    }

    static int allowed(DataPlane dp, String host, int n) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (RawHttp.send(dp.proxyPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .status() == 200) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void theFleetsSumStaysWithinTheLimitAcrossTwoProxies() throws Exception {
        int viaA = allowed(a, "fleet.test", 12);
        int viaB = allowed(b, "fleet.test", 12);
        assertThat(viaA).isEqualTo(5);
        assertThat(viaB).isEqualTo(5);
        assertThat(viaA + viaB).isLessThanOrEqualTo(10);
    }

    @Test
    void aProxyScopedLimitIsPerProxy() throws Exception {
        assertThat(allowed(a, "local.test", 12)).isEqualTo(10);
        assertThat(allowed(b, "local.test", 12)).isEqualTo(10);
    }
}
