package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.proto.v1.RouteCache;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response only the disk tier holds is read off the event loop: a proxy with one event loop answers another
 * connection while that read is held back, then answers the waiting request from the file it read.
 */
class CacheDiskReadTest {
    private static final long MEMORY = 64 << 10;
    private static final int BODY = 16 << 10;

    @TempDir
    Path data;

    private static String body(String path) {
        String line = (path + " ").repeat(8) + "\n";
        return line.repeat(BODY / line.length() + 1).substring(0, BODY);
    }

    private static void serve(CacheTarget target, String path) {
        target.on(path, (r, n) -> ok(body(path), "Cache-Control: max-age=600"));
    }

    /** One event loop: every connection of the test shares the loop a blocking read would stall. */
    private CachingProxy start(CacheTarget target) throws Exception {
        return CachingProxy.start(cpPort -> {
            Settings s = Settings.forTest(cpPort, data);
            return new Settings(s.controlPlaneHost(), s.controlPlanePort(), s.proxyAddress(), s.proxyPort(),
                    s.statusPort(), s.dataDir(), 1, s.nodeId(), s.labels(), s.client(), s.drainDelay(),
                    s.drainTimeout(), s.tls(), s.controlPlaneAuth(), s.observability(), s.limits());
        }, target.port(), RouteCache.newBuilder().setEnabled(true),
                ResponseCache.withDisk(MEMORY, data.resolve("cache"), 8 << 20));
    }

    /** Stores {@code path}, then others until memory has evicted it to disk. */
    private static void pushToDisk(CachingProxy proxy, CacheTarget target, String path) throws Exception {
        serve(target, path);
        assertThat(proxy.get(path).cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        ResponseCache cache = proxy.dp.responseCache();
        for (int i = 0; i < 60 && cache.diskFile("http://" + CachingProxy.HOST + path) == null; i++) {
            serve(target, "/filler" + i);
            proxy.get("/filler" + i);
            cache.diskEntries(); // waits for the spills
        }
        assertThat(cache.diskFile("http://" + CachingProxy.HOST + path)).as(path + " on disk").isNotNull();
    }

    @Test
    void aHeldDiskReadDoesNotHoldUpAnotherConnectionOnTheSameEventLoop() throws Exception {
        ExecutorService client = Executors.newSingleThreadExecutor();
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = start(target)) {
            pushToDisk(proxy, target, "/cold");
            serve(target, "/fresh");
            proxy.dp.responseCache().beforeDiskRead(() -> {
                readStarted.countDown();
                try {
                    release.await(); // released by the test (or its finally): no timeout decides anything here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                Future<CachingProxy.Answer> cold = client.submit(() -> proxy.get("/cold"));
                assertThat(readStarted.await(15, TimeUnit.SECONDS)).as("the disk read began").isTrue();

                // The read is held now. Another connection on the same (only) event loop is still answered: were
                // the read on the loop, this request would wait behind it until the client's 15 s read timeout.
                CachingProxy.Answer other = proxy.get("/fresh");
                assertThat(other.status()).isEqualTo(200);
                assertThat(other.body()).isEqualTo(body("/fresh"));
                assertThat(cold.isDone()).as("the request whose read is held still waits").isFalse();

                release.countDown();
                CachingProxy.Answer a = cold.get(15, TimeUnit.SECONDS);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.cacheStatus()).isEqualTo("edgeway; hit");
                assertThat(a.body()).isEqualTo(body("/cold"));
                assertThat(target.count("/cold")).as("answered from the file, not the target").isEqualTo(1);
            } finally {
                release.countDown();
            }
        } finally {
            client.shutdownNow();
        }
    }
}
