package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HealthCheck;
import io.edgeway.proto.v1.PassiveHealthCheck;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalogue F2/F3 on loopback: one of three backends dies under steady load from a few client threads.
 * Only requests already in flight to it may fail; once it is out of rotation the proxy stops even trying
 * to connect to it; it comes back after it restarts and passes the active check.
 */
class KillUnderLoadTest {
    static final int THREADS = 16; // blocking clients: enough of them that latency does not cap the rate
    static final int REQUESTS = 1_000; // per unpaced phase; each phase is also capped in time
    /** The kill happens under a steady 500 requests/s for 20 s, as the issue describes. */
    static final int STEADY_RATE = 500;
    static final int STEADY_REQUESTS = STEADY_RATE * 20;
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static List<HealthBackend> bs;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        bs = List.of(new HealthBackend("k0"), new HealthBackend("k1"), new HealthBackend("k2"));
        Upstream.Builder u = Upstream.newBuilder().setName("pool").setHealthCheck(HealthCheck.newBuilder()
                .setActive(ActiveHealthCheck.newBuilder().setPath("/health").setExpectedStatus(200)
                        .setIntervalMs(200).setTimeoutMs(500).setHealthyThreshold(2).setUnhealthyThreshold(2))
                .setPassive(PassiveHealthCheck.newBuilder().setConsecutiveFailures(3).setEjectionTimeMs(5_000)));
        bs.forEach(b -> u.addTargets(OneRouteProxy.loopback(b.port())));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n1").addUpstreams(u)
                .addRoutes(Route.newBuilder().setName("pool").addHosts("pool.test").setUpstream("pool")).build());
        await().until(() -> cp.answered(1, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        bs.forEach(HealthBackend::close);
        cp.close();
    }

    /** Counts of one load phase. {@code onProgress} runs once, from the caller, after {@code at} requests. */
    static final class Load {
        final int requests;
        final long periodNanos; // 0: as fast as the threads go
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();

        Load(int requests, int perSecond) {
            this.requests = requests;
            this.periodNanos = perSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
        }

        Load() {
            this(REQUESTS, 0);
        }

        void run(int at, Runnable onProgress) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(30);
            for (int t = 0; t < THREADS; t++) {
                pool.execute(() -> {
                    int n;
                    while ((n = sent.getAndIncrement()) < requests && System.nanoTime() < deadline) {
                        // Pacing, not synchronisation: request n is due at start + n periods.
                        long wait = start + n * periodNanos - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        started.incrementAndGet();
                        inFlight.incrementAndGet();
                        try {
                            HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + dp.proxyPort() + "/")).header("Host", "pool.test")
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            if (res.statusCode() != 200) {
                                failures.add(res.statusCode() + " " + res.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    }
                });
            }
            if (onProgress != null) {
                await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= at);
                onProgress.run();
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(45, TimeUnit.SECONDS)).isTrue();
        }
    }

    static String status(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.statusPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static boolean healthy(HealthBackend b, boolean expected) throws Exception {
        return status("/health/upstreams").contains("\"target\":\"127.0.0.1:" + b.port() + "\",\"healthy\":" + expected);
    }

    static long connectFailures() throws Exception {
        Matcher m = Pattern.compile("(?m)^edgeway_upstream_connect_failures_total (\\d+)(\\.0)?$").matcher(status("/metrics"));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void onlyRequestsInFlightToAKilledBackendFailAndItReturnsAfterRecovering() throws Exception {
        HealthBackend victim = bs.get(1);
        await().until(() -> healthy(victim, true));

        Load load = new Load(STEADY_REQUESTS, STEADY_RATE);
        int[] inFlightDuringKill = new int[1];
        load.run(STEADY_REQUESTS / 3, () -> {
            // Hold the victim's next request so that the kill surely catches one in flight.
            victim.hang = true;
            await().until(() -> victim.inFlight.get() > 0);
            int before = load.started.get();
            int atVictim = victim.inFlight.get();
            victim.kill();
            // In flight to the victim when the kill began, plus anything started while it ran, may fail.
            inFlightDuringKill[0] = atVictim + (load.started.get() - before);
        });
        System.out.printf("kill: %d requests, %d failed %s, %d in flight to it during the kill%n",
                load.sent.get() - THREADS, load.failures.size(), load.failures, inFlightDuringKill[0]);
        assertThat(load.failures.size()).as("failures %s, in flight during the kill %d", load.failures,
                inFlightDuringKill[0]).isLessThanOrEqualTo(inFlightDuringKill[0]);
        // The held request usually fails with 502; when it rode a reused pooled connection the proxy's
        // keep-alive-race retry (bodyless request, nothing received) resends it elsewhere and it succeeds.
        // The load went on past the kill (its pace on a slow machine is not asserted, only that it continued).
        assertThat(load.sent.get()).isGreaterThan(STEADY_REQUESTS / 3 + 100);

        // Out of rotation: no failed request, and not even a connect attempt to the dead backend.
        await().until(() -> healthy(victim, false));
        long connectFailures = connectFailures();
        Load out = new Load();
        out.run(0, null);
        assertThat(out.failures).isEmpty();
        assertThat(connectFailures()).isEqualTo(connectFailures);

        // Back on the same port: rotation resumes only after the active check passes twice.
        int served = victim.requests.get();
        victim.hang = false;
        victim.restart();
        await().atMost(Duration.ofSeconds(20)).until(() -> healthy(victim, true));
        Load back = new Load();
        back.run(0, null);
        assertThat(back.failures).isEmpty();
        assertThat(victim.requests.get() - served).isGreaterThan(REQUESTS / 6);
    }
}
