package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small site files are answered from memory after their first read (no open()/fstat() per request); large
 * ones keep the file path. The blob is deleted from disk to tell the two apart from outside the proxy.
 */
class SiteSmallFilesTest {
    @TempDir
    Path dataDir;

    private static RawClient.Response get(int port, String path, String... headers) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: shop.test\r\n"
                    + String.join("", Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n");
            return c.read(false);
        }
    }

    private Path blobOnDisk(byte[] data) throws IOException {
        String name = SiteFixture.sha256(data);
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }

    @Test
    void aSmallFileIsAnsweredFromMemoryAfterItsFirstReadAndALargeOneFromItsFile() throws Exception {
        byte[] small = new byte[1024];
        byte[] large = new byte[300_000];
        new Random(3).nextBytes(small);
        new Random(4).nextBytes(large);
        SiteFixture site = new SiteFixture("shop", "d1", 1_765_000_000_000L)
                .file("small.bin", small).file("large.bin", large);
        try (TestControlPlane cp = new TestControlPlane(0)) {
            cp.blobs.putAll(site.blobs);
            DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
            try {
                cp.push(SiteFixture.snapshot(2, "shop.test", false, site.build()));
                await().until(() -> cp.answered(2, true));
                assertThat(get(dp.proxyPort(), "/small.bin").body()).isEqualTo(small);

                Files.delete(blobOnDisk(small));
                Files.delete(blobOnDisk(large));

                RawClient.Response again = get(dp.proxyPort(), "/small.bin");
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.body()).isEqualTo(small);
                RawClient.Response range = get(dp.proxyPort(), "/small.bin", "Range: bytes=100-299");
                assertThat(range.status()).isEqualTo(206);
                assertThat(range.body()).isEqualTo(Arrays.copyOfRange(small, 100, 300));
                assertThat(get(dp.proxyPort(), "/large.bin").status()).isEqualTo(503); // read from disk each time
            } finally {
                dp.close();
            }
        }
    }
}
