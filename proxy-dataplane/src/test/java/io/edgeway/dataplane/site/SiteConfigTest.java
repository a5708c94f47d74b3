package io.edgeway.dataplane.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.status.RouteMeters;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.SiteDeployment;
import io.edgeway.proto.v1.SiteFile;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot's sites and site routes are checked at the edge; each mistake is named in the Nack. */
class SiteConfigTest {
    @TempDir
    Path dataDir;

    private SiteFile stored(String path, byte[] data) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Path blobs = Files.createDirectories(dataDir.resolve("sites/blobs"));
        Files.write(blobs.resolve(sha), data);
        return SiteFile.newBuilder().setPath(path).setSha256(sha).setSize(data.length).setContentType("text/plain").build();
    }

    private static Route.Builder siteRoute(String name, String site) {
        return Route.newBuilder().setName(name).addHosts("shop.test")
                .setSite(io.edgeway.proto.v1.RouteSite.newBuilder().setName(site).setSpa(true));
    }

    private RuntimeConfig from(Snapshot s) throws InvalidConfigException {
        return RuntimeConfig.from(s, RuntimeConfig.NONE, RouteMeters.NONE, SiteBlobs.under(dataDir));
    }

    @Test
    void aSiteRouteServesTheDeploymentNamedAndHashedNamesAreImmutable() throws Exception {
        Snapshot s = Snapshot.newBuilder().setVersion(2)
                .addSites(SiteDeployment.newBuilder().setSite("shop").setDeploymentId("d1")
                        .addFiles(stored("index.html", "i".getBytes()))
                        .addFiles(stored("assets/index-3f2a9c1b.js", "j".getBytes()))
                        .addFiles(stored("assets/jquery-fallback.js", "k".getBytes())))
                .addRoutes(siteRoute("app", "shop")).build();
        RuntimeConfig c = from(s);
        var route = c.routes().match("shop.test", "/x", "GET");
        assertThat(route.site()).isEqualTo(new RouteSite("shop", true));
        assertThat(route.upstream()).isNull();
        Deployment d = c.sites().get("shop");
        assertThat(d.file("assets/index-3f2a9c1b.js").immutable()).isTrue();
        assertThat(d.file("assets/jquery-fallback.js").immutable()).isFalse(); // a word, not a hash
        assertThat(d.file("index.html").immutable()).isFalse();
    }

    @Test
    void everyMistakeInSitesAndSiteRoutesIsReported() throws Exception {
        byte[] data = "x".getBytes();
        SiteFile ok = stored("a.txt", data);
        Snapshot s = Snapshot.newBuilder().setVersion(2)
                .addUpstreams(Upstream.newBuilder().setName("web").addTargets(
                        io.edgeway.proto.v1.Target.newBuilder().setHost("127.0.0.1").setPort(1).setWeight(1)))
                .addSites(SiteDeployment.newBuilder().setSite("shop").setDeploymentId("d1")
                        .addFiles(ok.toBuilder().setPath("../etc/passwd"))
                        .addFiles(ok.toBuilder().setPath("b.txt").setSha256("A".repeat(64)))
                        .addFiles(ok.toBuilder().setPath("c.txt").setSha256("0".repeat(64)))
                        .addFiles(ok)
                        .addFiles(ok))
                .addRoutes(siteRoute("both", "shop").setUpstream("web"))
                .addRoutes(siteRoute("ghost", "nowhere"))
                .build();
        assertThatThrownBy(() -> from(s)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                        "site 'shop' files[0].path: '../etc/passwd' (expected: no empty, '.' or '..' segment)",
                        "site 'shop' files[1].sha256: '" + "A".repeat(64) + "' (expected: 64 lower-case hex digits)",
                        "site 'shop' files[2].sha256: blob " + "0".repeat(64) + " is not on this proxy",
                        "site 'shop' files[4].path: 'a.txt' appears twice",
                        "route 'both' upstream: must be empty on a route that serves a site",
                        "route 'ghost' site.name: 'nowhere' (expected: a site with a deployment in this snapshot)"));
    }
}
