package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.proto.v1.RouteCache;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optional disk tier behind a real proxy whose memory tier holds only a few 16 KiB responses: what memory
 * evicts for size is written to files, and a later request is answered from there without the target.
 */
class CacheDiskTierTest {
    private static final long MEMORY = 64 << 10;
    private static final int BODY = 16 << 10;

    @TempDir
    Path data;

    /** A 16 KiB body that says which path it belongs to at every line, so a mix-up cannot look right. */
    private static String body(String path) {
        String line = (path + " ").repeat(8) + "\n";
        return line.repeat(BODY / line.length() + 1).substring(0, BODY);
    }

    private static String key(String path) {
        return "http://" + CachingProxy.HOST + path;
    }

    private CachingProxy start(CacheTarget target, long diskMax) throws Exception {
        RouteCache.Builder policy = RouteCache.newBuilder().setEnabled(true);
        return CachingProxy.start(data, target.port(), policy,
                ResponseCache.withDisk(MEMORY, data.resolve("cache"), diskMax));
    }

    private static void serve(CacheTarget target, String path, String... headers) {
        String[] all = Stream.concat(Stream.of("Cache-Control: max-age=600"), Stream.of(headers)).toArray(String[]::new);
        target.on(path, (r, n) -> ok(body(path), all));
    }

    @Test
    void anEntryEvictedFromMemoryIsServedFromDiskWithoutAskingTheTarget() throws Exception {
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = start(target, 8 << 20)) {
            List<String> paths = Stream.iterate(0, i -> i + 1).limit(10).map(i -> "/p" + i).toList();
            for (String p : paths) {
                serve(target, p);
                assertThat(proxy.get(p).cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
            }
            ResponseCache cache = proxy.dp.responseCache();
            assertThat(cache.diskEntries()).isPositive(); // 10 x 16 KiB cannot all be in 64 KiB of memory
            for (String p : Stream.concat(paths.stream(), paths.stream()).toList()) { // twice: promoted ones go back too
                cache.diskEntries(); // promotions evict others: let their spills land before the next request
                CachingProxy.Answer a = proxy.get(p);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.cacheStatus()).as(p).isEqualTo("edgeway; hit");
                assertThat(a.body()).isEqualTo(body(p));
                assertThat(target.count(p)).as(p).isEqualTo(1);
            }
        }
    }

    @Test
    void theDiskByteBoundHoldsWithManyEntriesAndFilesArePrivateAndNamedByHash() throws Exception {
        long bound = 100 << 10; // room for about six of the 16 KiB responses
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = start(target, bound)) {
            for (int i = 0; i < 40; i++) {
                serve(target, "/many/" + i);
                assertThat(proxy.get("/many/" + i).status()).isEqualTo(200);
            }
            ResponseCache cache = proxy.dp.responseCache();
            long onDisk = cache.diskBytes();
            assertThat(onDisk).isPositive().isLessThanOrEqualTo(bound);
            try (Stream<Path> files = Files.list(data.resolve("cache"))) {
                List<Path> list = files.toList();
                assertThat(list).hasSize(cache.diskEntries());
                long sum = 0;
                for (Path f : list) {
                    sum += Files.size(f);
                    assertThat(f.getFileName().toString()).matches("[0-9a-f]{64}\\.[0-9]+");
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
                }
                assertThat(sum).isEqualTo(onDisk);
            }
        }
    }

    /**
     * Fills memory, stores {@code path} (a newcomer to a full memory tier is usually the one evicted), then
     * stores others until it is on disk; returns its file.
     */
    private static Path onDisk(CachingProxy proxy, CacheTarget target, String path) throws Exception {
        for (int i = 0; i < 5; i++) {
            serve(target, "/before" + path + i);
            proxy.get("/before" + path + i);
        }
        assertThat(proxy.get(path).cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        proxy.dp.responseCache().diskEntries();
        for (int i = 0; i < 60 && proxy.dp.responseCache().diskFile(key(path)) == null; i++) {
            serve(target, "/filler/" + path + i);
            proxy.get("/filler/" + path + i);
            proxy.dp.responseCache().diskEntries(); // waits for the spills
        }
        Path file = proxy.dp.responseCache().diskFile(key(path));
        assertThat(file).as(path + " on disk").isNotNull();
        return file;
    }

    @Test
    void purgeByTagRemovesADiskEntry() throws Exception {
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = start(target, 8 << 20)) {
            serve(target, "/tagged", "Cache-Tag: sale");
            Path file = onDisk(proxy, target, "/tagged");

            assertThat(proxy.dp.responseCache().purgeTag("sale")).isEqualTo(1);
            proxy.dp.responseCache().diskEntries();
            assertThat(file).doesNotExist();
            CachingProxy.Answer after = proxy.get("/tagged");
            assertThat(after.cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
            assertThat(target.count("/tagged")).isEqualTo(2);
        }
    }

    @Test
    void aCorruptedOrTruncatedDiskFileIsAMissNotAnError() throws Exception {
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = start(target, 8 << 20)) {
            serve(target, "/flipped");
            serve(target, "/truncated");
            Path flipped = onDisk(proxy, target, "/flipped");
            Path truncated = onDisk(proxy, target, "/truncated");
            try (FileChannel ch = FileChannel.open(flipped, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long at = ch.size() - 100; // inside the body: same size, one byte different
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, at);
                ch.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x20)}), at);
            }
            try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }

            for (String p : List.of("/flipped", "/truncated")) {
                CachingProxy.Answer a = proxy.get(p);
                assertThat(a.status()).as(p).isEqualTo(200);
                assertThat(a.body()).as(p).isEqualTo(body(p));
                assertThat(a.cacheStatus()).as(p).isEqualTo("edgeway; fwd=uri-miss; stored");
                assertThat(target.count(p)).as(p).isEqualTo(2);
            }
            proxy.dp.responseCache().diskEntries();
            assertThat(flipped).doesNotExist();
            assertThat(truncated).doesNotExist();
        }
    }
}
