package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: "zero-copy file sending where the transport allows it". Over plain HTTP/1.1 a site file too large to be
 * kept in memory goes to the socket as a file region (sendfile), so its bytes never pass through the proxy's
 * buffers; the copying path would read it in 64 KiB chunks, each a "normal" allocation of the pooled allocator the
 * proxy's channels use. The oracle is that allocator's own count, read in this JVM where the proxy runs.
 */
class SiteZeroCopyTest {
    private static final int REQUESTS = 20;
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static byte[] media;

    @BeforeAll
    static void start() throws Exception {
        media = new byte[1_000_000]; // over the in-memory limit for small files (64 KiB): read from its file
        new Random(17).nextBytes(media);
        SiteFixture site = new SiteFixture("shop", "d1", SiteServingTest.DEPLOYED_AT).file("index.html",
                "<h1>shop</h1>".getBytes(java.nio.charset.StandardCharsets.UTF_8)).file("media/clip.mp4", media);
        cp = new TestControlPlane(0);
        cp.blobs.putAll(site.blobs);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(SiteFixture.snapshot(2, "shop.test", true, site.build()));
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> cp.answered(2, true)); // a loaded machine
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp);
    }

    @Test
    void aLargeFileOverPlainHttp11IsSentWithoutPassingThroughTheProxysBuffers() throws Exception {
        fetchAll(); // the first answers may open files and warm what is made once
        long before = chunkSizedAllocations();
        fetchAll();
        long during = chunkSizedAllocations() - before;
        // copying would take at least 15 chunk-sized buffers per answer (1,000,000 / 65,536): 300 for 20 answers
        assertThat(during).as("chunk-sized buffers allocated for %d answers of %d bytes", REQUESTS, media.length)
                .isLessThan(REQUESTS);
    }

    private static void fetchAll() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            for (int i = 0; i < REQUESTS; i++) {
                c.send("GET /media/clip.mp4 HTTP/1.1\r\nHost: shop.test\r\n\r\n");
                RawClient.Response r = c.read(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(media);
            }
        }
    }

    /** Normal and huge allocations (8 KiB and larger) of the pooled allocator, heap and direct, since it started. */
    private static long chunkSizedAllocations() {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        long n = 0;
        for (PoolArenaMetric a : m.directArenas()) {
            n += a.numNormalAllocations() + a.numHugeAllocations();
        }
        for (PoolArenaMetric a : m.heapArenas()) {
            n += a.numNormalAllocations() + a.numHugeAllocations();
        }
        return n;
    }
}
