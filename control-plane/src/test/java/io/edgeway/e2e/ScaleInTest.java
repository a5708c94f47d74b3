package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalogue G1 and C1 with real processes: HAProxy (the cloud load balancer) health-checks three proxy
 * processes on {@code /readyz}; under steady load one proxy at a time gets SIGTERM (a scale-in), three times,
 * and, in the other test, the control plane is killed with SIGKILL. No request may fail and no connection may be
 * reset. Each test starts its own fleet (database, control plane, three proxies, HAProxy), so each runs alone
 * and HAProxy's error counters are that test's alone.
 */
class ScaleInTest {
    // Longer than HAProxy needs to see the 503 (inter 500ms × fall 1, plus a check in flight).
    private static final Map<String, String> DRAIN = Map.of("EDGEWAY_DRAIN_DELAY", "1500ms",
            "EDGEWAY_DRAIN_TIMEOUT", "20s");
    private static final int SLOTS = 3;
    private static final Duration LOAD_INTERVAL = Duration.ofMillis(8); // 4 threads ≈ 500 req/s, the load
    private static final Duration LOAD_MAX = Duration.ofSeconds(150);

    @TempDir
    Path dir;
    private final String db = TestDatabase.create(ScaleInTest.class).url();
    private final JavaProcess[] proxies = new JavaProcess[SLOTS];
    private final int[] proxyPorts = new int[SLOTS];
    private final int[] statusPorts = new int[SLOTS];
    private final List<Integer> exitCodes = new ArrayList<>();
    private Backend backend;
    private int adminPort;
    private int grpcPort;
    private int frontPort;
    private JavaProcess controlPlane;
    private AdminClient admin;
    private Haproxy haproxy;
    private long revision;

    @BeforeEach
    void startFleet() throws Exception {
        backend = new Backend("origin");
        adminPort = Fleet.freePort();
        grpcPort = Fleet.freePort();
        controlPlane = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"));
        admin = new AdminClient(controlPlane.ready("admin"));
        revision = Fleet.catchAllRoute(admin, "origin", backend);
        List<Haproxy.Server> servers = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            // Fixed per slot, so a replacement comes back where HAProxy already looks.
            proxyPorts[i] = Fleet.freePort();
            statusPorts[i] = Fleet.freePort();
            proxies[i] = startProxy(i);
            servers.add(new Haproxy.Server("p" + i, proxyPorts[i], statusPorts[i]));
        }
        Fleet.awaitApplied(admin, nodeIds(), revision);
        frontPort = Fleet.freePort();
        haproxy = Haproxy.start(dir, frontPort, Fleet.freePort(), servers);
        for (int i = 0; i < SLOTS; i++) {
            awaitUp(i);
        }
    }

    private JavaProcess startProxy(int slot) throws Exception {
        return Fleet.proxy("proxy-" + slot, grpcPort, dir.resolve("proxy-" + slot), proxyPorts[slot],
                statusPorts[slot], DRAIN);
    }

    private List<String> nodeIds() {
        return java.util.Arrays.stream(proxies).map(p -> p.ready("node")).toList();
    }

    private void awaitUp(int slot) {
        // HAProxy may not listen on its stats port yet right after it starts: keep asking until it does.
        await().atMost(Fleet.CONVERGE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() ->
                assertThat(haproxy.status("p" + slot)).as("HAProxy's view of p%d", slot).isEqualTo("UP"));
    }

    private void awaitMoreOk(Load load, long count) {
        long target = load.ok() + count;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> load.ok() >= target || load.failed() > 0);
    }

    @AfterEach
    void stopFleet() throws Exception {
        if (haproxy != null) haproxy.close();
        for (JavaProcess p : proxies) {
            if (p != null) p.close();
        }
        if (controlPlane != null) controlPlane.close();
        if (backend != null) backend.close();
    }

    @Test
    void threeScaleInsUnderLoadLoseNoRequest() throws Exception {
        Load load = new Load(frontPort, 4, LOAD_INTERVAL, 40_000, LOAD_MAX);
        long started = System.nanoTime();
        try (load) {
            awaitMoreOk(load, 300);
            for (int slot = 0; slot < SLOTS; slot++) {
                JavaProcess leaving = proxies[slot];
                String node = leaving.ready("node");
                int status = statusPorts[slot];
                leaving.terminate();
                // Not ready at once (that is what takes it out of HAProxy), while it still serves.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
                    assertThat(Fleet.get(status, "/readyz").statusCode()).isEqualTo(503);
                    assertThat(Fleet.get(status, "/metrics").body()).contains("edgeway_draining 1");
                });
                // The control plane hears about it too.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                        assertThat(Fleet.node(admin.get("/api/v1/nodes").body().get("data"), node)
                                .get("draining").asBoolean()).isTrue());
                int exit = leaving.awaitExit(Duration.ofSeconds(40));
                exitCodes.add(exit);
                assertThat(exit).as("exit code of proxy-%d; output:%n%s", slot, leaving.output()).isZero();
                // Children log at WARN (the test class path's logback-test.xml): only a timeout would show.
                assertThat(leaving.output()).doesNotContain("drain timeout");
                proxies[slot] = startProxy(slot); // the autoscaling group's replacement, same ports
                awaitUp(slot);
                awaitMoreOk(load, 300);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("scale-in load: %d requests ok in %.1f s (%.0f req/s), %d failed%n",
                load.ok(), seconds, load.ok() / seconds, load.failed());
        assertThat(load.failures()).as("failed requests").isEmpty();
        assertThat(load.failed()).isZero();
        assertThat(load.resets()).isZero();
        assertThat(load.ok()).isGreaterThan(1_000);
        assertThat(exitCodes).containsExactly(0, 0, 0);
        assertNoErrorsSeenByHaproxy();
    }

    @Test
    void killingTheControlPlaneUnderLoadLosesNoRequestAndProxiesConvergeAfterItReturns() throws Exception {
        Fleet.awaitApplied(admin, nodeIds(), revision);
        Load load = new Load(frontPort, 4, LOAD_INTERVAL, 40_000, LOAD_MAX);
        try (load) {
            awaitMoreOk(load, 300);
            controlPlane.kill();
            awaitConnectedGauge(0);
            awaitMoreOk(load, 1_000); // a few seconds of traffic with no control plane at all
            for (int slot = 0; slot < SLOTS; slot++) {
                assertThat(Fleet.get(statusPorts[slot], "/readyz").statusCode()).isEqualTo(200);
            }
            controlPlane = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"));
            admin = new AdminClient(controlPlane.ready("admin"));
            AdminClient.Reply extra = admin.post("/api/v1/routes",
                    "{\"name\":\"after-outage\",\"hosts\":[\"after.example.com\"],\"paths\":[\"/\"],"
                            + "\"upstream\":\"origin\"}");
            assertThat(extra.status()).isEqualTo(201);
            revision = extra.revision();
            Fleet.awaitApplied(admin, nodeIds(), revision);
            awaitConnectedGauge(1);
            awaitMoreOk(load, 300);
        }
        assertThat(load.failures()).as("failed requests").isEmpty();
        assertThat(load.failed()).isZero();
        assertThat(load.resets()).isZero();
        assertNoErrorsSeenByHaproxy();
    }

    private void awaitConnectedGauge(int value) {
        // HAProxy may not listen on its stats port yet right after it starts: keep asking until it does.
        await().atMost(Fleet.CONVERGE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (int slot = 0; slot < SLOTS; slot++) {
                assertThat(Fleet.get(statusPorts[slot], "/metrics").body())
                        .contains("edgeway_control_plane_connected " + value);
            }
        });
    }

    private void assertNoErrorsSeenByHaproxy() throws Exception {
        var stats = haproxy.stats();
        var back = stats.get("proxies/BACKEND");
        assertThat(back).as("stats %s", stats.keySet()).isNotNull();
        // econ: connect errors, eresp: response errors (incl. resets), wretr: retries, srv_abrt: server aborts.
        for (String column : List.of("econ", "eresp", "wretr", "wredis", "srv_abrt")) {
            assertThat(back.get(column)).as("HAProxy backend %s; log:%n%s", column, haproxy.log()).isIn("0", "");
        }
        assertThat(stats.get("edge/FRONTEND").get("hrsp_5xx")).as("5xx sent to clients").isEqualTo("0");
    }
}
