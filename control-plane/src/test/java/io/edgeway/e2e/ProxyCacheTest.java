package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.TestDatabase;
import io.edgeway.dataplane.config.DiskCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalogue E1–E3: a proxy restarted while the control plane is down serves from its disk cache, and a
 * corrupt cache is refused as a whole, so the proxy stays not-ready rather than serving part of a config.
 */
class ProxyCacheTest {
    // A drain delay of zero: these proxies have no load balancer to wait for.
    private static final Map<String, String> NO_DELAY = Map.of("EDGEWAY_DRAIN_DELAY", "0ms");

    @TempDir
    Path dir;
    private Backend backend;
    private JavaProcess controlPlane;
    private JavaProcess proxy;

    @AfterEach
    void stopAll() throws Exception {
        if (proxy != null) proxy.close();
        if (controlPlane != null) controlPlane.close();
        if (backend != null) backend.close();
    }

    @Test
    void restartWithoutControlPlaneServesTheCacheAndACorruptCacheIsRefused() throws Exception {
        backend = new Backend("cached");
        String db = TestDatabase.create(ProxyCacheTest.class).url();
        int adminPort = Fleet.freePort();
        int grpcPort = Fleet.freePort();
        Path proxyDir = dir.resolve("proxy");
        controlPlane = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"));
        AdminClient admin = new AdminClient(controlPlane.ready("admin"));
        proxy = Fleet.proxy("proxy", grpcPort, proxyDir, 0, 0, NO_DELAY);
        long revision = Fleet.catchAllRoute(admin, "cached", backend);
        Fleet.awaitApplied(admin, List.of(proxy.ready("node")), revision);
        assertThat(Fleet.get(port(proxy, "proxy"), "/before").statusCode()).isEqualTo(200);

        // The control plane goes away for good; then the proxy restarts (a deploy, a crash, a new AMI).
        controlPlane.kill();
        assertThat(proxy.stop()).as("exit code after SIGTERM").isZero();
        Path cache = proxyDir.resolve("snapshot.bin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");

        proxy = Fleet.proxy("proxy-cached", grpcPort, proxyDir, 0, 0, NO_DELAY);
        // No waiting: the cache is applied before the process announces its ports.
        var ready = Fleet.get(port(proxy, "status"), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("version=" + revision);
        var served = Fleet.get(port(proxy, "proxy"), "/from-cache");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo("cached /from-cache");
        assertThat(proxy.stop()).isZero();

        // Corrupt every generation on disk (one flipped byte each; .prev exists only if the proxy applied more
        // than one version, and the control plane may coalesce the two writes): nothing whole is left.
        flipLastByte(cache);
        Path prev = proxyDir.resolve("snapshot.bin.prev");
        if (Files.exists(prev)) {
            flipLastByte(prev);
        }
        int before = backend.requests();
        proxy = Fleet.proxy("proxy-corrupt", grpcPort, proxyDir, 0, 0, NO_DELAY);
        assertThat(Fleet.get(port(proxy, "status"), "/readyz").statusCode()).isEqualTo(503);
        assertThat(Fleet.get(port(proxy, "proxy"), "/anything").statusCode()).as("no config yet: nothing served")
                .isEqualTo(503);
        assertThat(backend.requests()).isEqualTo(before);
        assertThat(proxy.output()).contains("refusing cached snapshot").contains("checksum mismatch");

        // The control plane comes back: the proxy gets a whole config and becomes ready.
        controlPlane = Fleet.controlPlane(db, adminPort, grpcPort, dir.resolve("cp"));
        JavaProcess recovered = proxy;
        await().atMost(Fleet.CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(Fleet.get(port(recovered, "status"), "/readyz").statusCode()).isEqualTo(200);
            assertThat(new DiskCache(proxyDir).load()).as("a fresh, whole cache was written")
                    .hasValueSatisfying(c -> assertThat(c.version()).isEqualTo(revision));
        });
        assertThat(Fleet.get(port(proxy, "proxy"), "/after").statusCode()).isEqualTo(200);
    }

    private static int port(JavaProcess p, String which) {
        return Integer.parseInt(p.ready(which));
    }

    private static void flipLastByte(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(file, bytes);
    }
}
