package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HashOn;
import io.edgeway.proto.v1.HealthCheck;
import io.edgeway.proto.v1.PassiveHealthCheck;
import io.edgeway.proto.v1.LbPolicy;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Balancing policies and health through a real DataPlane, a test control plane and real backends. */
class BalancingIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static final List<HealthBackend> backends = new ArrayList<>();
    static final AtomicLong version = new AtomicLong();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        backends.forEach(HealthBackend::close);
        cp.close();
    }

    static List<HealthBackend> backends(String prefix, int n) throws Exception {
        List<HealthBackend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HealthBackend b = new HealthBackend(prefix + i);
            backends.add(b);
            out.add(b);
        }
        return out;
    }

    static Upstream.Builder upstream(String name, LbPolicy policy, List<HealthBackend> bs, int... weights) {
        Upstream.Builder u = Upstream.newBuilder().setName(name).setPolicy(policy);
        for (int i = 0; i < bs.size(); i++) {
            u.addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(bs.get(i).port())
                    .setWeight(weights.length > i ? weights[i] : 1));
        }
        return u;
    }

    /** Pushes a config with this one upstream behind host {@code name}.test and waits for the Ack. */
    static void apply(Upstream.Builder u) {
        long v = version.incrementAndGet();
        cp.push(Snapshot.newBuilder().setVersion(v).setNonce("n" + v).addUpstreams(u)
                .addRoutes(Route.newBuilder().setName(u.getName()).addHosts(u.getName() + ".test")
                        .setUpstream(u.getName()))
                .build());
        await().until(() -> cp.answered(v, true));
    }

    static HttpResponse<String> get(String host, String header, String value) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(10));
        if (header != null) {
            r.header(header, value);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, Integer> spread(String host, int requests) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> res = get(host, null, null);
            assertThat(res.statusCode()).isEqualTo(200);
            counts.merge(res.body(), 1, Integer::sum);
        }
        return counts;
    }

    static String status(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.statusPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static boolean healthy(HealthBackend b) throws Exception {
        String json = status("/health/upstreams");
        return json.contains("\"target\":\"127.0.0.1:" + b.port() + "\",\"healthy\":true");
    }

    static boolean unhealthy(HealthBackend b) throws Exception {
        return status("/health/upstreams").contains("\"target\":\"127.0.0.1:" + b.port() + "\",\"healthy\":false");
    }

    /**
     * Probes every {@code interval} ms. The tests turn targets sick by their status, never by slowness, so the
     * probe timeout is long: with 500 ms, two probes of a healthy target starved by a loaded machine (GC, two
     * cores shared by many builds) would take it out, and the spreads that expect it would fail.
     */
    static HealthCheck.Builder active(int interval) {
        return HealthCheck.newBuilder().setActive(ActiveHealthCheck.newBuilder().setPath("/health")
                .setExpectedStatus(200).setIntervalMs(interval).setTimeoutMs(5_000)
                .setHealthyThreshold(2).setUnhealthyThreshold(2));
    }

    @Test
    void weightedRoundRobinSplitsOneTwoThree() throws Exception {
        List<HealthBackend> bs = backends("w", 3);
        apply(upstream("wrr", LbPolicy.WEIGHTED_ROUND_ROBIN, bs, 1, 2, 3));
        Map<String, Integer> c = spread("wrr.test", 600);
        assertThat(c.get("w0") / 600.0).isCloseTo(1 / 6.0, within(0.02));
        assertThat(c.get("w1") / 600.0).isCloseTo(2 / 6.0, within(0.02));
        assertThat(c.get("w2") / 600.0).isCloseTo(3 / 6.0, within(0.02));
    }

    @Test
    void leastRequestAvoidsTheBackendWithARequestInFlight() throws Exception {
        List<HealthBackend> bs = backends("p", 3);
        apply(upstream("p2c", LbPolicy.LEAST_REQUEST, bs));
        HealthBackend busy = bs.get(0);
        busy.hang = true;
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        // Send requests until one is held by the busy backend; those sent elsewhere finish at once.
        for (int i = 0; i < 100 && busy.inFlight.get() == 0; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                    .header("Host", "p2c.test").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            int sent = i + 1;
            await().until(() -> busy.inFlight.get() > 0
                    || bs.get(1).requests.get() + bs.get(2).requests.get() + busy.requests.get() >= sent);
        }
        assertThat(busy.inFlight.get()).isPositive();
        await().until(() -> held.stream().filter(f -> !f.isDone()).count() == busy.inFlight.get());
        int before = busy.requests.get();
        Map<String, Integer> c = spread("p2c.test", 200);
        assertThat(busy.requests.get()).as("P2C never prefers the busy backend").isEqualTo(before);
        assertThat(c).containsOnlyKeys("p1", "p2");
        busy.releaseHung();
        held.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));
    }

    @Test
    void consistentHashKeepsUsersOnTheirBackendWhenOneIsRemoved() throws Exception {
        List<HealthBackend> bs = backends("h", 5);
        Upstream.Builder u = upstream("hash", LbPolicy.CONSISTENT_HASH, bs)
                .setHashOn(HashOn.newBuilder().setHeader("X-User"));
        apply(u);
        Map<String, String> placed = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            placed.put("user-" + i, get("hash.test", "X-User", "user-" + i).body());
        }
        assertThat(new java.util.HashSet<>(placed.values())).hasSize(5);
        for (int i = 0; i < 300; i += 7) { // sticky on repeat
            assertThat(get("hash.test", "X-User", "user-" + i).body()).isEqualTo(placed.get("user-" + i));
        }
        apply(u.removeTargets(2)); // h2 leaves
        int stayed = 0;
        for (Map.Entry<String, String> e : placed.entrySet()) {
            String now = get("hash.test", "X-User", e.getKey()).body();
            if (!e.getValue().equals("h2")) {
                assertThat(now).as(e.getKey() + " was not on the removed backend").isEqualTo(e.getValue());
                stayed++;
            } else {
                assertThat(now).isNotEqualTo("h2");
            }
        }
        assertThat(stayed / 300.0).isGreaterThan(0.7); // 4/5 expected, minus the ring's imbalance
    }

    @Test
    void activeCheckTakesAFailingBackendOutAndBringsItBack() throws Exception {
        List<HealthBackend> bs = backends("a", 3);
        apply(upstream("active", LbPolicy.ROUND_ROBIN, bs).setHealthCheck(active(100)));
        HealthBackend sick = bs.get(2);
        await().until(() -> sick.probes.get() >= 1 && healthy(sick));
        sick.healthStatus = 503;
        await().until(() -> unhealthy(sick));
        assertThat(status("/metrics")).contains("edgeway_upstream_target_healthy{target=\"127.0.0.1:"
                + sick.port() + "\",upstream=\"active\"} 0");
        // The change reaches the control plane on the config stream as a Status with every target's health.
        String sickTarget = "127.0.0.1:" + sick.port();
        await().until(() -> cp.answers.stream().anyMatch(m -> m.hasStatus() && m.getStatus().getTargetsList().stream()
                .anyMatch(t -> t.getTarget().equals(sickTarget) && t.getUpstream().equals("active")
                        && !t.getHealthy() && t.getReason().equals("active"))));
        int before = sick.requests.get();
        assertThat(spread("active.test", 60)).containsOnlyKeys("a0", "a1");
        assertThat(sick.requests.get()).isEqualTo(before);

        sick.healthStatus = 200;
        await().until(() -> healthy(sick));
        // The status page can say healthy a moment before the balancer's view has it (the health thread sets the
        // state, then rebuilds the view; on a loaded machine it can be preempted in between): once it serves again,
        // round robin gives it exactly its third.
        await().until(() -> spread("active.test", 3).containsKey("a2"));
        assertThat(spread("active.test", 60)).containsEntry("a2", 20);
    }

    @Test
    void consecutive5xxEjectTheTarget() throws Exception {
        List<HealthBackend> bs = backends("e", 3);
        apply(upstream("eject", LbPolicy.ROUND_ROBIN, bs).setHealthCheck(HealthCheck.newBuilder()
                .setPassive(PassiveHealthCheck.newBuilder().setConsecutiveFailures(3).setEjectionTimeMs(60_000))));
        HealthBackend failing = bs.get(1);
        failing.status = 503;
        int errors = 0;
        for (int i = 0; i < 30; i++) {
            errors += get("eject.test", null, null).statusCode() == 503 ? 1 : 0;
        }
        // The target's 503s count toward ejection until the third in a row; then it gets nothing more. Each
        // of those GETs was retried once on another target, so no client saw them.
        assertThat(errors).isZero();
        assertThat(failing.requests.get()).isEqualTo(3);
        assertThat(status("/health/upstreams")).contains("\"target\":\"127.0.0.1:" + failing.port()
                + "\",\"healthy\":false,\"reason\":\"passive\"");
        assertThat(spread("eject.test", 20)).containsOnlyKeys("e0", "e2");
    }

    @Test
    void everyTargetUnhealthyFailsOpenAndCountsIt() throws Exception {
        List<HealthBackend> bs = backends("f", 2);
        apply(upstream("open", LbPolicy.ROUND_ROBIN, bs).setHealthCheck(active(100)));
        bs.forEach(b -> b.healthStatus = 503);
        await().until(() -> unhealthy(bs.get(0)) && unhealthy(bs.get(1)));
        assertThat(spread("open.test", 10)).containsEntry("f0", 5).containsEntry("f1", 5);
        assertThat(status("/metrics")).contains("edgeway_upstream_fail_open_total{upstream=\"open\"} 10");
        assertThat(status("/health/upstreams")).contains("\"name\":\"open\",\"policy\":\"round_robin\",\"fail_open\":true");
    }

    @Test
    void stateOfUnchangedTargetsSurvivesAConfigPush() throws Exception {
        List<HealthBackend> bs = backends("s", 3);
        Upstream.Builder u = upstream("keep", LbPolicy.ROUND_ROBIN, bs).setHealthCheck(active(100));
        apply(u);
        bs.get(0).healthStatus = 503;
        await().until(() -> unhealthy(bs.get(0)));
        int probes = bs.get(0).probes.get();
        apply(u.setPolicy(LbPolicy.LEAST_REQUEST)); // same targets, new policy: still out, no reset to healthy
        assertThat(unhealthy(bs.get(0))).isTrue();
        assertThat(spread("keep.test", 30)).doesNotContainKey("s0");
        await().until(() -> bs.get(0).probes.get() > probes); // still probed under the new version
    }
}
