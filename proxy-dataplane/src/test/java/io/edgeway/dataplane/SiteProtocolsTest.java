package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.Run;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same site over h2c streams and over TLS (HTTP/1.1 and h2), where the file is read in chunks, not sent by the kernel. */
class SiteProtocolsTest {
    static final String JS = "assets/index-DT-jHzsZ.js";

    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static DataPlane dp;
    static SiteFixture site;
    static TestCert shop;
    static byte[] media = new byte[1_000_000]; // beyond h2's initial 64 KiB window: flow control must hold

    @BeforeAll
    static void start() throws Exception {
        new Random(3).nextBytes(media);
        shop = cert(dir, "shop", "EC", "shop.test");
        site = new SiteFixture("shop", "d1", 1_765_000_000_000L).dir(SiteFixture.viteBuild("dist"))
                .file("media/big.bin", media);
        cp = new TestControlPlane(0);
        cp.blobs.putAll(site.blobs);
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        io.edgeway.proto.v1.Snapshot s = SiteFixture.snapshot(2, "shop.test", true, site.build());
        cp.push(s.toBuilder().setRoutes(0, s.getRoutes(0).toBuilder().setHstsMaxAgeS(600))
                .addCertificates(shop.proto("shop.test")).build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp);
    }

    @Test
    void h2cStreamsGetTheFilesIncludingOneLargerThanTheFlowControlWindow() throws Exception {
        try (H2PriorKnowledgeClient h2 = new H2PriorKnowledgeClient(dp.proxyPort())) {
            H2PriorKnowledgeClient.Response js = h2.send("GET", "shop.test", "/" + JS, null).get(20, TimeUnit.SECONDS);
            assertThat(js.status()).isEqualTo("200");
            assertThat(js.body()).isEqualTo(site.files.get(JS));
            H2PriorKnowledgeClient.Response big = h2.send("GET", "shop.test", "/media/big.bin", null).get(20, TimeUnit.SECONDS);
            assertThat(big.body()).isEqualTo(media);
            H2PriorKnowledgeClient.Response spa = h2.send("GET", "shop.test", "/users/1", null).get(20, TimeUnit.SECONDS);
            assertThat(spa.body()).isEqualTo(site.files.get("index.html"));
            H2PriorKnowledgeClient.Response head = h2.send("HEAD", "shop.test", "/" + JS, null).get(20, TimeUnit.SECONDS);
            assertThat(head.status()).isEqualTo("200");
            assertThat(head.body()).isEmpty();
            assertThat(h2.send("DELETE", "shop.test", "/" + JS, null).get(20, TimeUnit.SECONDS).status()).isEqualTo("405");
        }
    }

    @Test
    void tlsServesTheFilesOverHttp11AndH2() throws Exception {
        for (String version : new String[] {"--http1.1", "--http2"}) {
            Path out = dir.resolve("out" + version);
            Run r = curl("shop.test", dp.tlsPort(), "/media/big.bin", shop.certFile(), version, "-o", out.toString(),
                    "-D", "-");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output().trim()).endsWith(version.equals("--http2") ? "\n2" : "\n1.1");
            assertThat(r.output().toLowerCase()).contains("strict-transport-security: max-age=600"); // the route's HSTS
            assertThat(Files.readAllBytes(out)).isEqualTo(media);
            Path range = dir.resolve("range" + version);
            Run part = curl("shop.test", dp.tlsPort(), "/media/big.bin", shop.certFile(), version, "-r", "100-199",
                    "-o", range.toString());
            assertThat(part.exit()).as(part.output()).isZero();
            assertThat(Files.readAllBytes(range)).isEqualTo(java.util.Arrays.copyOfRange(media, 100, 200));
        }
    }
}
