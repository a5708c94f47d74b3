package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits through a real proxy on loopback. The exact-count tests refill one token per hour, so no
 * token comes back while they run and the counts are exact; the one with a fast refill computes its
 * allowed range from the time it measured.
 */
class RateLimitIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend backend;
    static RecordingBackend raw;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        raw = new RecordingBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(backend.port())))
                .addUpstreams(Upstream.newBuilder().setName("raw").addTargets(OneRouteProxy.loopback(raw.port())))
                .addRoutes(limited("raw", "raw.test", 1, 3600, 2, "route").toBuilder().setUpstream("raw"))
                .addRoutes(limited("by-ip", "ip.test", 1, 3600, 5, "client_ip"))
                .addRoutes(limited("by-key", "key.test", 1, 3600, 2, "header:X-Api-Key"))
                .addRoutes(limited("by-route", "route.test", 1, 3600, 3, "route"))
                .addRoutes(limited("fast", "fast.test", 20, 1, 5, "client_ip"))
                .addRoutes(Route.newBuilder().setName("free").addHosts("free.test").setUpstream("t"))
                .build(), dp);
    }

    static Route limited(String name, String host, int requests, int perSeconds, int burst, String by) {
        return Route.newBuilder().setName(name).addHosts(host).setUpstream("t")
                .setRateLimit(RouteRateLimit.newBuilder().setRequests(requests).setPerMs(perSeconds * 1000L)
                        .setBurst(burst).setBy(by))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, raw, cp);
    }

    static List<Integer> statuses(String host, String extraHeader, int n) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(get(host, extraHeader).status());
        }
        return out;
    }

    static RawHttp.Answer get(String host, String extraHeader) throws Exception {
        return RawHttp.send(dp.proxyPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeader
                + "Connection: close\r\n\r\n");
    }

    @Test
    void aBurstOfFiveThenEveryFurtherRequestOfTheSameClientGets429() throws Exception {
        int before = backend.requests.get();
        List<Integer> got = statuses("ip.test", "", 8);
        assertThat(got).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
        assertThat(backend.requests.get() - before).isEqualTo(5); // a refused request never reaches the target
    }

    @Test
    void eachApiKeyHasItsOwnBucketAndNoKeyIsOneBucketToo() throws Exception {
        assertThat(statuses("key.test", "X-Api-Key: alice\r\n", 3)).containsExactly(200, 200, 429);
        assertThat(statuses("key.test", "X-Api-Key: bob\r\n", 3)).containsExactly(200, 200, 429);
        assertThat(statuses("key.test", "", 3)).containsExactly(200, 200, 429);
    }

    @Test
    void aRouteLimitCountsEveryClientTogether() throws Exception {
        List<Integer> got = new ArrayList<>(statuses("route.test", "X-Api-Key: a\r\n", 2));
        got.addAll(statuses("route.test", "X-Forwarded-For: 10.9.9.9\r\n", 2));
        assertThat(got).containsExactly(200, 200, 200, 429);
    }

    @Test
    void allowedAndRefusedAnswersCarryTheDraftHeadersAndRetryAfter() throws Exception {
        String first = get("key.test", "X-Api-Key: carol\r\n").head().toLowerCase();
        assertThat(first).startsWith("http/1.1 200")
                .contains("ratelimit-policy: \"by-key\";q=1;w=3600\r\n")
                .contains("ratelimit: \"by-key\";r=1;t=3600\r\n")
                .doesNotContain("retry-after");
        String second = get("key.test", "X-Api-Key: carol\r\n").head().toLowerCase();
        assertThat(second).contains("ratelimit: \"by-key\";r=0;t=7200\r\n");
        String refused = get("key.test", "X-Api-Key: carol\r\n").head().toLowerCase();
        assertThat(refused).startsWith("http/1.1 429")
                .contains("ratelimit-policy: \"by-key\";q=1;w=3600\r\n")
                .contains("ratelimit: \"by-key\";r=0;t=3600\r\n")
                .contains("retry-after: 3600\r\n");
    }

    @Test
    void answersRelayedAsBytesCarryTheHeadersToo() throws Exception {
        // The raw target's answers take the proxy's byte path (no head object): the lines are written into it.
        String a = get("raw.test", "").head().toLowerCase();
        assertThat(a).startsWith("http/1.1 200").contains("ratelimit-policy: \"raw\";q=1;w=3600\r\n")
                .contains("ratelimit: \"raw\";r=1;t=3600\r\n");
    }

    @Test
    void aRouteWithoutALimitSendsNoLimitHeaders() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawHttp.Answer a = get("free.test", "");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.head().toLowerCase()).doesNotContain("ratelimit");
        }
    }

    @Test
    void allowedCountIsTheBurstPlusWhatRefilledInTheMeasuredTime() throws Exception {
        long start = System.nanoTime();
        List<Integer> got = statuses("fast.test", "", 40);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long allowed = got.stream().filter(s -> s == 200).count();
        assertThat(got).containsOnly(200, 429);
        // 5 at once, then 20 a second: at least the burst, at most the burst plus the refill (plus one token
        // of rounding at each end of the measured interval).
        assertThat(allowed).isBetween(5L, 5 + (long) Math.ceil(elapsed * 20) + 1);
        assertThat(got.subList(0, 5)).containsOnly(200);
    }
}
