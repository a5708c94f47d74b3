package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy fetches a deployment's files over FetchBlob, verifies them, and only then applies and acks. */
class SiteDistributionTest {
    @TempDir
    Path dataDir;
    TestControlPlane cp;
    DataPlane dp;
    final SiteFixture v1 = new SiteFixture("shop", "d1", 1_765_000_000_000L).dir(SiteFixture.viteBuild("dist"));
    final SiteFixture v2 = new SiteFixture("shop", "d2", 1_765_000_100_000L).dir(SiteFixture.viteBuild("dist-v2"));

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        cp.blobs.putAll(v1.blobs);
        cp.blobs.putAll(v2.blobs);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
    }

    @AfterEach
    void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp);
    }

    String index(DataPlane proxy) throws IOException {
        try (RawClient c = new RawClient(proxy.proxyPort())) {
            c.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            RawClient.Response r = c.read(false);
            return r.status() + " " + r.text();
        }
    }

    static String html(SiteFixture f) {
        return "200 " + new String(f.files.get("index.html"), StandardCharsets.UTF_8);
    }

    int fetchCount() {
        return cp.fetches.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Test
    void theProxyFetchesVerifiesStoresAndThenAcksAndServes() throws Exception {
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        assertThat(index(dp)).isEqualTo(html(v1));
        assertThat(cp.fetches.keySet()).isEqualTo(v1.blobs.keySet()); // each blob once, nothing else
        assertThat(fetchCount()).isEqualTo(v1.blobs.size());
        for (String sha : v1.blobs.keySet()) {
            assertThat(dataDir.resolve("sites/blobs/" + sha)).hasBinaryContent(v1.blobs.get(sha));
        }
    }

    @Test
    void aCorruptedBlobQuarantinesTheSiteNamedInTheAckAndItsRouteAnswers503() throws Exception {
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        cp.corrupt = true;
        cp.push(SiteFixture.snapshot(3, "shop.test", true, v2.build()));
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        List<ResourceError> quarantined = cp.ack(3).getAck().getQuarantinedList();
        assertThat(quarantined).extracting(q -> q.getKind() + " " + q.getName()).contains("site shop", "route app");
        ResourceError e = quarantined.stream().filter(q -> q.getKind().equals("site")).findFirst().orElseThrow();
        assertThat(e.getMessage()).contains("hash mismatch");
        // dropped, not kept at its previous deployment: the site's route answers 503, never a stale or other page
        assertThat(index(dp)).startsWith("503 ");
        assertThat(dp.appliedVersion()).isEqualTo(3);
        for (String sha : v2.blobs.keySet()) {
            if (!v1.blobs.containsKey(sha)) {
                assertThat(dataDir.resolve("sites/blobs/" + sha)).doesNotExist(); // never stored unverified
            }
        }
        try (var leftovers = Files.list(dataDir.resolve("sites/blobs"))) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith(".tmp"))).isEmpty();
        }
        cp.corrupt = false;
        cp.push(SiteFixture.snapshot(4, "shop.test", true, v2.build()));
        await().until(() -> cp.answered(4, true));
        assertThat(index(dp)).isEqualTo(html(v2));
    }

    @Test
    void aBlobTheControlPlaneDoesNotHaveQuarantinesTheSiteWithTheFetchError() throws Exception {
        SiteFixture lost = new SiteFixture("blog", "d9", 1L).file("index.html", "lost".getBytes(StandardCharsets.UTF_8));
        cp.push(SiteFixture.snapshot(2, "blog.test", false, lost.build()));
        await().until(() -> cp.answered(2, true) || cp.answered(2, false));
        ResourceError site = cp.ack(2).getAck().getQuarantinedList().stream().filter(q -> q.getKind().equals("site"))
                .findFirst().orElseThrow();
        assertThat(site.getName()).isEqualTo("blog");
        assertThat(site.getMessage()).contains("NOT_FOUND").contains("index.html");
    }

    @Test
    void aRestartedProxyServesItsDeploymentFromDiskWithoutFetchingAgain() throws Exception {
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        dp.close();
        cp.close();
        cp = new TestControlPlane(0); // holds no blob: a refetch would fail
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        assertThat(index(dp)).isEqualTo(html(v1)); // the disk cache applied before the ports were bound
        await().until(() -> !cp.hellos.isEmpty());
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        assertThat(cp.fetches).isEmpty();
    }

    @Test
    void aNewerSnapshotSupersedesOneStillFetching() throws Exception {
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        CountDownLatch hold = new CountDownLatch(1);
        cp.holdFetches = hold;
        cp.push(SiteFixture.snapshot(3, "shop.test", true, v2.build()));
        await().until(() -> cp.fetches.keySet().stream().anyMatch(sha -> !v1.blobs.containsKey(sha)));
        cp.push(SiteFixture.snapshot(4, "shop.test", false, v1.build())); // nothing to fetch
        await().until(() -> cp.answered(4, true));
        hold.countDown();
        cp.holdFetches = null;
        cp.push(SiteFixture.snapshot(5, "shop.test", false, v1.build()));
        await().until(() -> cp.answered(5, true));
        assertThat(cp.answers.stream().filter(m -> (m.hasAck() && m.getAck().getVersion() == 3)
                || (m.hasNack() && m.getNack().getVersion() == 3))).isEmpty();
        assertThat(index(dp)).isEqualTo(html(v1));
    }

    @Test
    void blobsNeitherTheAppliedNorThePreviousSnapshotUsesAreDeleted() throws Exception {
        SiteFixture v3 = new SiteFixture("shop", "d3", 1_765_000_200_000L)
                .file("index.html", "three".getBytes(StandardCharsets.UTF_8));
        cp.blobs.putAll(v3.blobs);
        String v1Js = SiteFixture.sha256(v1.files.get("assets/index-DT-jHzsZ.js"));
        String v2Js = SiteFixture.sha256(v2.files.get("assets/index-CVNfGtLI.js"));
        cp.push(SiteFixture.snapshot(2, "shop.test", true, v1.build()));
        await().until(() -> cp.answered(2, true));
        cp.push(SiteFixture.snapshot(3, "shop.test", true, v2.build()));
        await().until(() -> cp.answered(3, true));
        assertThat(dataDir.resolve("sites/blobs/" + v1Js)).exists(); // the previous deployment's: kept
        cp.push(SiteFixture.snapshot(4, "shop.test", true, v3.build()));
        await().until(() -> cp.answered(4, true));
        assertThat(dataDir.resolve("sites/blobs/" + v1Js)).doesNotExist();
        assertThat(dataDir.resolve("sites/blobs/" + v2Js)).exists();
        assertThat(index(dp)).isEqualTo("200 three");
    }
}
