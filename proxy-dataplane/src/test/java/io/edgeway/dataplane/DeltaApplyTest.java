package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.config.DiskCache;
import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real proxy applying delta snapshots (issue 22): on top of the version it runs it ends at exactly the full
 * snapshot (the one it caches and compiles) and serves it; a delta on another base is Nacked, naming the delta,
 * and nothing of it applies.
 */
class DeltaApplyTest {
    @TempDir
    Path dataDir;
    TestControlPlane cp;
    TestBackend a;
    TestBackend b;
    DataPlane dp;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        a = new TestBackend("a");
        b = new TestBackend("b");
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
    }

    @AfterEach
    void stop() throws Exception {
        dp.close();
        OneRouteProxy.closeAll(a, b, cp);
    }

    private static Upstream upstream(String name, int port) {
        return Upstream.newBuilder().setName(name)
                .addTargets(OneRouteProxy.loopback(port)).build();
    }

    private static Route route(String name, String host, String upstream) {
        return Route.newBuilder().setName(name).addHosts(host).setUpstream(upstream).build();
    }

    private int status(String host) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void aDeltaOnTheRunningVersionEndsAtTheFullSnapshotAndOneOnAnotherBaseIsNacked() throws Exception {
        Snapshot v2 = Snapshot.newBuilder().setVersion(2).addUpstreams(upstream("a", a.port()))
                .addUpstreams(upstream("b", b.port())).addRoutes(route("ra", "a.test", "a"))
                .addRoutes(route("rb", "b.test", "b")).build();
        Snapshot v3 = Snapshot.newBuilder().setVersion(3).addUpstreams(upstream("a", a.port()))
                .addUpstreams(upstream("b", b.port())).addRoutes(route("ra", "a.test", "a"))
                .addRoutes(route("rc", "c.test", "b")).build();
        cp.push(v2.toBuilder().setNonce("n2").build());
        await().until(() -> cp.answered(2, true));
        assertThat(status("b.test")).isEqualTo(200);

        Snapshot delta = SnapshotDeltas.diff(v2, v3);
        assertThat(delta.getRoutesList()).extracting(Route::getName).containsExactly("rc"); // only what changed
        cp.push(delta.toBuilder().setNonce("n3").build());
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        assertThat(cp.ack(3).getAck().getQuarantinedList()).isEmpty();
        assertThat(dp.appliedVersion()).isEqualTo(3);
        // what the proxy compiled and cached is the full version 3, exactly
        assertThat(new DiskCache(dataDir).snapshot(3).toBuilder().clearNonce().build()).isEqualTo(v3);
        assertThat(status("c.test")).isEqualTo(200);
        assertThat(status("b.test")).isEqualTo(404);
        assertThat(b.requests.get()).isEqualTo(2);

        Snapshot v4 = v3.toBuilder().setVersion(4).addRoutes(route("rd", "d.test", "a")).build();
        cp.push(SnapshotDeltas.diff(v2, v4).toBuilder().setNonce("n4").build()); // base 2, but 3 runs
        await().until(() -> cp.answered(4, false) || cp.answered(4, true));
        ResourceError why = cp.nack(4).getNack().getErrors(0);
        assertThat(why.getField()).isEqualTo("delta");
        assertThat(why.getMessage()).contains("base");
        assertThat(dp.appliedVersion()).isEqualTo(3);
        assertThat(status("d.test")).isEqualTo(404);
        cp.push(v4.toBuilder().setNonce("n4-full").build()); // what the control plane sends after that Nack
        await().until(() -> cp.answered(4, true));
        assertThat(status("d.test")).isEqualTo(200);
    }
}
