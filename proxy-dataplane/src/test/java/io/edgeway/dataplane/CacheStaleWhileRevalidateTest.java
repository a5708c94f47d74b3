package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.RouteCache;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stale-while-revalidate (RFC 5861 3) with a real target: within the window the stale copy answers at once and
 * one background request revalidates it; past the window the request waits for the target as any stale miss.
 * "Age: 61" on a max-age=60 answer makes the stored copy stale from the start, so no test waits on a clock.
 */
class CacheStaleWhileRevalidateTest {
    @TempDir
    Path dir;

    @Test
    void withinTheWindowTheStaleCopyAnswersAtOnceAndOneBackgroundRequestRevalidatesIt() throws Exception {
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            CountDownLatch release = new CountDownLatch(1);
            target.on("/swr", (r, n) -> {
                if (n == 0) {
                    return ok("v1", "Cache-Control: max-age=60, stale-while-revalidate=600", "Age: 61", "ETag: \"v1\"");
                }
                release.await(); // the background request is held until the clients have had their answers
                return "HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=60, stale-while-revalidate=600\r\n"
                        + "ETag: \"v1\"\r\nX-Refreshed: yes\r\n\r\n";
            });
            assertThat(proxy.get("/swr").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");

            // The target holds its answer: these can only be answered from the stale copy.
            for (int i = 0; i < 5; i++) {
                CachingProxy.Answer stale = proxy.get("/swr");
                assertThat(stale.status()).isEqualTo(200);
                assertThat(stale.body()).isEqualTo("v1");
                assertThat(stale.cacheStatus()).isEqualTo("edgeway; fwd=stale; detail=stale-while-revalidate");
            }
            await().until(() -> target.count("/swr") >= 2);
            CacheTarget.Req background = target.requestsFor("/swr").get(1);
            assertThat(background.header("if-none-match")).isEqualTo("\"v1\"");

            release.countDown();
            await().until(() -> "edgeway; hit".equals(proxy.get("/swr").cacheStatus()));
            CachingProxy.Answer refreshed = proxy.get("/swr");
            assertThat(refreshed.body()).isEqualTo("v1");
            assertThat(refreshed.header("x-refreshed")).isEqualTo("yes");
            assertThat(target.count("/swr")).isEqualTo(2); // one miss, one background request for six clients
        }
    }

    @Test
    void withinTheWindowABackgroundTwoHundredReplacesTheStoredCopy() throws Exception {
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            target.on("/new", (r, n) -> n == 0
                    ? ok("old", "Cache-Control: max-age=60, stale-while-revalidate=600", "Age: 61")
                    : ok("new", "Cache-Control: max-age=60"));
            proxy.get("/new");
            CachingProxy.Answer stale = proxy.get("/new");
            assertThat(stale.body()).isEqualTo("old");
            assertThat(stale.cacheStatus()).isEqualTo("edgeway; fwd=stale; detail=stale-while-revalidate");
            await().until(() -> "new".equals(proxy.get("/new").body()));
            assertThat(proxy.get("/new").cacheStatus()).isEqualTo("edgeway; hit");
            assertThat(target.count("/new")).isEqualTo(2);
        }
    }

    @Test
    void pastTheWindowTheRequestWaitsForTheTargetLikeAnyStaleMiss() throws Exception {
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            // 120 s past its freshness, 60 s past the window: too stale to answer before the target did
            target.on("/late", (r, n) -> n == 0
                    ? ok("old", "Cache-Control: max-age=60, stale-while-revalidate=60", "Age: 180")
                    : ok("new", "Cache-Control: max-age=60"));
            proxy.get("/late");
            CachingProxy.Answer answer = proxy.get("/late");
            assertThat(answer.body()).isEqualTo("new");
            assertThat(answer.cacheStatus()).isEqualTo("edgeway; fwd=stale; stored");
            assertThat(target.count("/late")).isEqualTo(2);
        }
    }

    @Test
    void mustRevalidateForbidsServingStaleWhileRevalidating() throws Exception {
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            target.on("/strict", (r, n) -> ok(n == 0 ? "old" : "new",
                    "Cache-Control: max-age=60, stale-while-revalidate=600, must-revalidate", "Age: 61"));
            proxy.get("/strict");
            CachingProxy.Answer answer = proxy.get("/strict");
            assertThat(answer.body()).isEqualTo("new");
            assertThat(answer.cacheStatus()).startsWith("edgeway; fwd=stale");
        }
    }
}
