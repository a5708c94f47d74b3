package io.edgeway.dataplane;

import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;

/** A real proxy on loopback whose test control plane has pushed one upstream and one route (by host) to it. */
final class OneRouteProxy implements AutoCloseable {
    final TestControlPlane cp;
    final DataPlane dp;

    private OneRouteProxy(TestControlPlane cp, DataPlane dp) {
        this.cp = cp;
        this.dp = dp;
    }

    /** Returns once the proxy has acked the snapshot, so it serves the route. */
    static OneRouteProxy start(Path dataDir, String host, Upstream.Builder upstream) throws Exception {
        TestControlPlane cp = new TestControlPlane(0);
        DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        OneRouteProxy proxy = new OneRouteProxy(cp, dp);
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2").addUpstreams(upstream)
                .addRoutes(Route.newBuilder().setName(upstream.getName()).addHosts(host).setUpstream(upstream.getName()))
                .build());
        await().until(() -> cp.answered(2, true));
        return proxy;
    }

    static Target loopback(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    int port() {
        return dp.proxyPort();
    }

    @Override
    public void close() throws Exception {
        dp.close();
        cp.close();
    }

    /** Closes what a test class started, in order, skipping what never started. */
    static void closeAll(AutoCloseable... all) throws Exception {
        for (AutoCloseable c : all) {
            if (c != null) {
                c.close();
            }
        }
    }
}
