package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets with a 1 s keep-alive, far below the pool's idle timeout, and batches of requests spaced just
 * around that second: the proxy reuses connections the target is closing at that very moment. No request
 * without a body may get a 502 from it; a request whose body was sent is never sent twice.
 */
class KeepAliveRaceTest {
    static final int BATCHES = 12;
    static final int PER_BATCH = 125; // 2 × 12 × 125 = 3,000 requests
    /** Offsets from the 1 s keep-alive, in ms: before, at and just past the target's close. */
    static final int[] SPACING = {995, 1000, 1002, 1005, 1010, 1020, 1050, 1100};

    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static KeepAliveBackend idleClose;
    static KeepAliveBackend closeOnArrival;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        idleClose = new KeepAliveBackend(KeepAliveBackend.Mode.IDLE_CLOSE, 1_000);
        closeOnArrival = new KeepAliveBackend(KeepAliveBackend.Mode.CLOSE_ON_ARRIVAL, 1_000);
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(upstream("fin", idleClose.port()))
                .addUpstreams(upstream("rst", closeOnArrival.port()))
                .addRoutes(Route.newBuilder().setName("fin").addHosts("fin.test").setUpstream("fin"))
                .addRoutes(Route.newBuilder().setName("rst").addHosts("rst.test").setUpstream("rst"))
                .build());
        await().until(() -> cp.answered(1, true));
    }

    static Upstream upstream(String name, int port) {
        return Upstream.newBuilder().setName(name)
                .addTargets(OneRouteProxy.loopback(port)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        idleClose.close();
        closeOnArrival.close();
        cp.close();
    }

    static HttpRequest get(String host) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(20)).build();
    }

    /** Sends the batches on a schedule and returns the count of each status (-1 for a transport error). */
    static Map<Integer, Integer> run(String host) throws Exception {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            long at = 0;
            List<CompletableFuture<Void>> batches = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                CompletableFuture<Void> fired = new CompletableFuture<>();
                timer.schedule(() -> {
                    for (int i = 0; i < PER_BATCH; i++) {
                        all.add(client.sendAsync(get(host), HttpResponse.BodyHandlers.ofString())
                                .handle((r, e) -> statuses.merge(r == null ? -1 : r.statusCode(), 1, Integer::sum)));
                    }
                    fired.complete(null);
                }, at, TimeUnit.MILLISECONDS);
                batches.add(fired);
                at += SPACING[b % SPACING.length];
            }
            CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            timer.shutdownNow();
        }
        return statuses;
    }

    @Test
    void aTargetClosingIdleConnectionsAfterOneSecondNeverCausesA502() throws Exception {
        Map<Integer, Integer> statuses = run("fin.test");
        assertThat(statuses).containsExactly(Map.entry(200, BATCHES * PER_BATCH));
        // The race really happened: requests reached connections after the target's FIN, and were answered anew.
        System.out.printf("FIN race: %d of %d requests arrived on a connection after its FIN%n",
                idleClose.racedCloses.get(), BATCHES * PER_BATCH);
        assertThat(idleClose.racedCloses.get()).isPositive();
        assertThat(idleClose.answered.get()).isEqualTo(BATCHES * PER_BATCH);
    }

    @Test
    void aTargetClosingAsTheRequestArrivesNeverCausesA502ForBodilessRequests() throws Exception {
        Map<Integer, Integer> statuses = run("rst.test");
        assertThat(statuses).containsExactly(Map.entry(200, BATCHES * PER_BATCH));
        // The race really happened, and every raced request was answered on a fresh connection.
        assertThat(closeOnArrival.racedCloses.get()).isPositive();
        assertThat(closeOnArrival.answered.get()).isEqualTo(BATCHES * PER_BATCH);
    }

    @Test
    void aRequestWhoseBodyWasSentIsNotResentInTheRace() throws Exception {
        raceOnce(HttpRequest.BodyPublishers.ofString("not-idempotent"), null, 502);
    }

    @Test
    void aBodilessPostIsNotResentInTheRaceUnlessItCarriesAnIdempotencyKey() throws Exception {
        raceOnce(HttpRequest.BodyPublishers.noBody(), null, 502);
        raceOnce(HttpRequest.BodyPublishers.noBody(), "key-1", 200);
    }

    /** One GET leaves a pooled connection; a POST after the target's 1 s keep-alive races its close. */
    static void raceOnce(HttpRequest.BodyPublisher body, String idempotencyKey, int expected) throws Exception {
        HttpClient one = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThat(one.send(get("rst.test"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        int seen = closeOnArrival.requests.get();
        int raced = closeOnArrival.racedCloses.get();
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", "rst.test").POST(body).timeout(Duration.ofSeconds(20));
        if (idempotencyKey != null) {
            post.header("Idempotency-Key", idempotencyKey);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            // Past the target's keep-alive, within the pool's: the pooled connection is reused and closed under it.
            HttpResponse<String> r = timer.schedule(() -> one.send(post.build(), HttpResponse.BodyHandlers.ofString()),
                    1_200, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
            assertThat(closeOnArrival.racedCloses.get()).isEqualTo(raced + 1);
            assertThat(r.statusCode()).isEqualTo(expected);
            // Sent once and never resent, or (with a key) resent once on a fresh connection.
            assertThat(closeOnArrival.requests.get()).isEqualTo(seen + (expected == 200 ? 2 : 1));
        } finally {
            timer.shutdownNow();
        }
    }
}
