package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.RouteCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Collapsed misses (one target request for many clients) and stale-if-error while the target is down. */
class CacheCollapseAndOutageTest {
    @TempDir
    Path dir;

    @Test
    void aHundredConcurrentMissesMakeOneTargetRequest() throws Exception {
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            CountDownLatch firstArrived = new CountDownLatch(1);
            CountDownLatch othersSent = new CountDownLatch(1);
            target.on("/slow", (r, n) -> {
                firstArrived.countDown();
                othersSent.await(); // the answer waits until every other client's request is at the proxy
                return ok("once", "Cache-Control: max-age=60");
            });
            ExecutorService pool = Executors.newFixedThreadPool(100);
            try {
                List<Future<CachingProxy.Answer>> answers = new ArrayList<>();
                answers.add(pool.submit(() -> proxy.get("/slow")));
                firstArrived.await();
                CountDownLatch sent = new CountDownLatch(99);
                for (int i = 0; i < 99; i++) {
                    answers.add(pool.submit(() -> {
                        sent.countDown();
                        return proxy.get("/slow");
                    }));
                }
                sent.await();
                // the 99 requests are written (or about to be); the proxy holds them behind the one in flight
                org.awaitility.Awaitility.await().until(() -> proxy.dp.responseCache().flights().waiting("http://cache.test/slow") >= 99
                        || target.count("/slow") > 1);
                othersSent.countDown();
                for (Future<CachingProxy.Answer> a : answers) {
                    assertThat(a.get().body()).isEqualTo("once");
                }
                assertThat(target.count("/slow")).isEqualTo(1);
                assertThat(answers.get(1).get().cacheStatus()).isIn("edgeway; hit; detail=collapsed", "edgeway; hit");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aTargetThatGoesDownIsHiddenByStaleIfError() throws Exception {
        CacheTarget target = new CacheTarget();
        try (CachingProxy proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            // Age 61 of max-age 60: stale from the start, and within stale-if-error for ten minutes
            target.on("/sie", (r, n) -> ok("kept", "Cache-Control: max-age=60, stale-if-error=600", "Age: 61"));
            assertThat(proxy.get("/sie").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
            target.close();
            CachingProxy.Answer down = proxy.get("/sie");
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.body()).isEqualTo("kept");
            assertThat(down.cacheStatus()).isEqualTo("edgeway; fwd=stale; detail=stale-if-error");
            CachingProxy.Answer never = proxy.get("/never-cached");
            assertThat(never.status()).isEqualTo(502);
            assertThat(never.cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; detail=no-response");
        } finally {
            target.close();
        }
    }
}
