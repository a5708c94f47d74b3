package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteSite;
import io.edgeway.proto.v1.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on the site's path lookup: dot segments raw and encoded, double encoding, encoded separators,
 * backslashes, NUL, and symlinks in the blob directory. None may answer a byte that is not a listed file.
 */
class SiteTraversalTest {
    static final String SECRET = "TOP-SECRET-" + System.nanoTime();

    @TempDir
    static Path dir;
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static SiteFixture site;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("secret.txt"), SECRET);
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), SECRET);
        site = new SiteFixture("plain", "d1", 1_765_000_000_000L).dir(SiteFixture.viteBuild("dist"))
                .file("victim.txt", "victim".getBytes(StandardCharsets.UTF_8))
                .file("a/b/c.txt", "deep".getBytes(StandardCharsets.UTF_8));
        cp = new TestControlPlane(0);
        cp.blobs.putAll(site.blobs);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2").addSites(site.build())
                .addRoutes(Route.newBuilder().setName("plain").addHosts("plain.test")
                        .setSite(RouteSite.newBuilder().setName("plain").setSpa(false)))
                .build());
        await().until(() -> cp.answered(2, true));
        // Links planted in the blob directory: one named like a request path, one named like a hash.
        Files.createSymbolicLink(dataDir.resolve("sites/blobs/secret.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(dataDir.resolve("sites/blobs/etc"), dir.resolve("etc"));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp);
    }

    static RawClient.Response get(String target) throws IOException {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: plain.test\r\nConnection: close\r\n\r\n");
            return c.read(false);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../secret.txt", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/secret.txt", "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "/assets%2f..%2f..%2fsecret.txt",
            "/assets/..%2f..%2fsecret.txt", "/assets\\..\\..\\secret.txt", "/%5c..%5csecret.txt", "/index.html%00.js",
            "/secret.txt%00", "/secret.txt", "/etc/passwd", "/a/b/../../../secret.txt", "/a/./b/%2e%2e/%2e%2e/../secret.txt",
            "//secret.txt", "/.%2e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "http://plain.test/../secret.txt",
            "/sites/blobs/secret.txt", "/../data/sites/blobs/secret.txt"})
    void aTraversalAttemptNeverReachesAFileOutsideTheManifest(String target) throws Exception {
        RawClient.Response r = get(target);
        assertThat(r.status()).as(target).isIn(400, 404);
        assertThat(r.text()).doesNotContain(SECRET);
    }

    @Test
    void pathsThatNormaliseIntoTheSiteServeListedFilesOnly() throws Exception {
        assertThat(get("/a/b/c.txt").text()).isEqualTo("deep");
        assertThat(get("/a/./b/../b/c.txt").text()).isEqualTo("deep"); // dot segments resolved within the site
        assertThat(get("/%61/b/c%2etxt").text()).isEqualTo("deep"); // unreserved characters decoded once
    }

    @Test
    void aBlobReplacedByASymlinkIsNotFollowed() throws Exception {
        Path victim = dataDir.resolve("sites/blobs/" + SiteFixture.sha256("victim".getBytes(StandardCharsets.UTF_8)));
        // Not requested before the swap: a small file once read is answered from memory (SmallFiles), and the
        // link must meet the file path's NOFOLLOW open.
        assertThat(victim).isRegularFile();
        Files.delete(victim);
        Files.createSymbolicLink(victim, dir.resolve("secret.txt"));
        RawClient.Response r = get("/victim.txt");
        assertThat(r.text()).doesNotContain(SECRET);
        assertThat(r.status()).isEqualTo(503);
    }
}
